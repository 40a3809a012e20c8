package io.topaz.bench.messaging;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PushMetricsScrapeTest {

    @Test
    void noConfirmationTierMetricIsNotApplicable() {
        String text = """
                # HELP topaz_push_confirm_latency_seconds push written -> confirm received
                topaz_push_confirm_latency_seconds_count 12.0
                topaz_push_pushed_total 12.0
                """;
        assertThat(PushMetricsScrape.confirmLines(text)).isEmpty();
        assertThat(PushMetricsScrape.withoutDiskShare(PushMetricsScrape.confirmLines(text))).isEqualTo("n/a");
    }

    @Test
    void countersPerTierGiveTheShareKeptOffDisk() {
        String text = """
                topaz_push_confirm_latency_seconds_count 1000.0
                topaz_push_confirmations_total{tier="heap"} 990.0
                topaz_push_confirmations_total{tier="direct"} 7.0
                topaz_push_confirmations_total{tier="file"} 3.0
                """;
        assertThat(PushMetricsScrape.confirmLines(text)).hasSize(3);
        assertThat(PushMetricsScrape.withoutDiskShare(PushMetricsScrape.confirmLines(text))).isEqualTo("99.70 %");
    }

    @Test
    void aRatioGaugeIsReadAsIs() {
        String text = "topaz_push_confirm_without_disk_ratio 0.9985\n";
        assertThat(PushMetricsScrape.withoutDiskShare(PushMetricsScrape.confirmLines(text))).isEqualTo("99.85 %");
    }
}

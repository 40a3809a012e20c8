package io.topaz.model;

import io.topaz.model.metrics.PrometheusText;
import io.topaz.model.metrics.PrometheusText.Sample;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PrometheusTextTest {

    private static final String TEXT = """
            # HELP topaz_gateway_requests_total calls
            # TYPE topaz_gateway_requests_total counter
            topaz_gateway_requests_total{agent="a",api="x"} 120.0
            topaz_gateway_requests_total{agent="a",api="y"} 3.5E1
            topaz_gateway_requests_total_created{agent="a"} 1.7E9
            topaz_gateway_requests_totalish 99
            topaz_gateway_errors_total 7
            topaz_gateway_errors_total{api="z"} NaN
            broken_line{ 5
            """;

    @Test
    void sumsEverySampleOfTheExactMetricOverItsLabels() {
        assertThat(PrometheusText.sum(TEXT, "topaz_gateway_requests_total")).hasValue(155.0);
        assertThat(PrometheusText.sum(TEXT, "topaz_gateway_errors_total")).hasValue(7.0);
    }

    @Test
    void readsSeveralMetricsInOnePassAsOneAtATimeWould() {
        Map<String, List<Sample>> all = PrometheusText.samples(TEXT, List.of("topaz_gateway_requests_total",
                "topaz_gateway_errors_total", "topaz_broker_messages_total"));
        assertThat(all.get("topaz_gateway_requests_total"))
                .isEqualTo(PrometheusText.samples(TEXT, "topaz_gateway_requests_total")).hasSize(2);
        assertThat(all.get("topaz_gateway_errors_total"))
                .isEqualTo(PrometheusText.samples(TEXT, "topaz_gateway_errors_total")).hasSize(1);
        assertThat(all.get("topaz_broker_messages_total")).isEmpty();
    }

    @Test
    void anAbsentMetricIsEmptyNotZero() {
        assertThat(PrometheusText.sum(TEXT, "topaz_broker_messages_total")).isEmpty();
        assertThat(PrometheusText.sum("", "topaz_gateway_requests_total")).isEmpty();
    }

    @Test
    void readsLabelsAsMicrometerWritesThemEscapesAndBracesIncluded() {
        String text = """
                # TYPE topaz_traffic_decisions_total counter
                topaz_traffic_decisions_total{application="agent",kind="flow",outcome="passed",rule="item.get"} 1234.0
                topaz_traffic_decisions_total{kind="quota",outcome="blocked",rule="a \\"quoted\\", {braced} \\\\ id"} 2.0 1700000000000
                topaz_traffic_decisions_total{kind="flow",rule="unterminated} 3.0
                topaz_traffic_decisions_total{} 5.0
                """;
        List<Sample> samples = PrometheusText.samples(text, "topaz_traffic_decisions_total");
        assertThat(samples).hasSize(3);
        assertThat(samples.get(0).labels()).containsExactly(Map.entry("application", "agent"), Map.entry("kind", "flow"),
                Map.entry("outcome", "passed"), Map.entry("rule", "item.get"));
        assertThat(samples.get(0).value()).isEqualTo(1234.0);
        assertThat(samples.get(1).label("rule")).isEqualTo("a \"quoted\", {braced} \\ id");
        assertThat(samples.get(1).value()).isEqualTo(2.0);
        assertThat(samples.get(2).labels()).isEmpty();
        assertThat(samples.get(2).label("rule")).isNull();
    }
}

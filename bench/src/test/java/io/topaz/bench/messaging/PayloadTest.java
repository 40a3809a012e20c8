package io.topaz.bench.messaging;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PayloadTest {

    @Test
    void everyMessageIsOneKibibyteOfJsonCarryingItsSequenceAndSendTime() {
        for (long seq : new long[] {1, 42, Long.MAX_VALUE}) {
            String content = Payload.content(seq, 123_456_789_012L, "bench_seller");
            assertThat(content.getBytes(StandardCharsets.UTF_8)).hasSize(Payload.SIZE);
            assertThat(content).startsWith("{\"tid\":" + seq + ",\"seller_nick\":\"bench_seller\",").endsWith("\"}");
            assertThat(Payload.seq(content)).isEqualTo(seq);
            assertThat(Payload.sentNanos(content)).isEqualTo(123_456_789_012L);
        }
        // System.nanoTime() may be negative
        assertThat(Payload.sentNanos(Payload.content(7, -5_000L, "s"))).isEqualTo(-5_000L);
    }

    @Test
    void contentWithoutTheFieldsIsRefused() {
        assertThatThrownBy(() -> Payload.sentNanos("{\"tid\":1}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Payload.content(1, 1, "n".repeat(2000))).isInstanceOf(IllegalArgumentException.class);
    }
}

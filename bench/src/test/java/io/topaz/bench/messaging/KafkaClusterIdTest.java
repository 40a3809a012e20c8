package io.topaz.bench.messaging;

import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class KafkaClusterIdTest {

    /** The top six bits 111110 encode as '-', the 63rd letter of the URL-safe alphabet. */
    private static final UUID DASHED = new UUID(0xF800_0000_0000_0000L, 1L);

    @Test
    void anIdThatWouldStartWithADashIsDrawnAgain() {
        UUID plain = new UUID(0x1234_5678_9ABC_DEF0L, 42L);
        Iterator<UUID> draws = List.of(DASHED, DASHED, plain).iterator();

        String id = KafkaPeer.clusterId(draws::next);

        assertThat(id).doesNotStartWith("-").hasSize(22);
        assertThat(draws.hasNext()).isFalse();
        assertThat(Base64.getUrlDecoder().decode(id)).hasSize(16).startsWith(0x12, 0x34);
    }

    @Test
    void theDashedProbeReallyEncodesWithALeadingDash() {
        Iterator<UUID> draws = List.of(DASHED, new UUID(0L, 0L)).iterator();
        // If the probe did not start with '-', the first draw would be returned and the test above would prove nothing.
        assertThat(KafkaPeer.clusterId(draws::next)).isEqualTo("AAAAAAAAAAAAAAAAAAAAAA");
    }
}

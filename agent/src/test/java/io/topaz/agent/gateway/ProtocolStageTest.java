package io.topaz.agent.gateway;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The protocol stage's answers about timestamps: what is wrong and what to do about it. */
class ProtocolStageTest {

    // 2026-12-06 10:30:00 in Asia/Shanghai
    private final Clock clock = Clock.fixed(Instant.parse("2026-12-06T02:30:00Z"), ZoneOffset.UTC);
    private final ProtocolStage stage = new ProtocolStage(clock, Duration.ofMinutes(10), ZoneId.of("Asia/Shanghai"));

    private TopError check(String timestamp) {
        Map<String, String> p = new HashMap<>(Map.of("method", "taobao.time.get", "app_key", "a", "v", "2.0",
                "sign_method", "md5", "sign", "0".repeat(32), "format", "json"));
        p.put("timestamp", timestamp);
        return stage.apply(new Call("r1", 0, null, null, p)).join();
    }

    @Test
    void aTimestampInThePlatformZoneWithinTheWindowPasses() {
        assertThat(check("2026-12-06 10:35:00")).isNull();
        assertThat(check(String.valueOf(clock.millis() - 60_000))).isNull();
    }

    @Test
    void aTimestampWrittenInUtcIsAnsweredWithThePlatformZone() {
        TopError e = check("2026-12-06 02:30:05");
        assertThat(e.code()).isEqualTo(31);
        assertThat(e.subCode()).isEqualTo("isv.invalid-parameter:timestamp");
        assertThat(e.subMsg()).contains("8 hours behind").contains("Asia/Shanghai (GMT+08:00)");
    }

    @Test
    void aTimestampAnHourAheadSaysSo() {
        assertThat(check("2026-12-06 11:33:00").subMsg()).contains("1 hour ahead").contains("GMT+08:00");
    }

    @Test
    void aTimestampOffByMinutesIsAClockProblem() {
        TopError e = check("2026-12-06 10:45:00");
        assertThat(e.subMsg()).contains("more than 10 minutes").contains("check the clock").doesNotContain("zone");
        assertThat(check("2026-12-06 12:00:00").subMsg()).as("1.5 hours off is no zone").contains("check the clock");
    }
}

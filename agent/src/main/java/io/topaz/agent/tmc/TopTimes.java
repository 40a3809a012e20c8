package io.topaz.agent.tmc;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** TOP's times: {@code yyyy-MM-dd HH:mm:ss} in the platform's zone (Asia/Shanghai unless configured). */
final class TopTimes {

    private final DateTimeFormatter format;

    TopTimes(ZoneId zone) {
        this.format = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(zone);
    }

    String format(long epochMillis) {
        return format.format(Instant.ofEpochMilli(epochMillis));
    }
}

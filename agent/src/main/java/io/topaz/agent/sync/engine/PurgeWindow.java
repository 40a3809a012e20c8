package io.topaz.agent.sync.engine;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;

/** A daily UTC window {@code HH:mm-HH:mm} ({@code SyncTarget.purgeWindow}); it may wrap midnight. */
record PurgeWindow(LocalTime from, LocalTime to) {

    static PurgeWindow parse(String window) {
        String[] p = window.split("-");
        if (p.length != 2) {
            throw new IllegalArgumentException("a purge window is HH:mm-HH:mm (UTC), was '" + window + "'");
        }
        return new PurgeWindow(LocalTime.parse(p[0].trim()), LocalTime.parse(p[1].trim()));
    }

    boolean contains(Instant now) {
        LocalTime t = now.atOffset(ZoneOffset.UTC).toLocalTime();
        if (from.equals(to)) {
            return true; // a window from a time to itself is the whole day
        }
        return from.isBefore(to) ? !t.isBefore(from) && t.isBefore(to) : !t.isBefore(from) || t.isBefore(to);
    }
}

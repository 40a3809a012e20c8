package io.topaz.agent.sync.db;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Timestamps as the sync stores them: columns without a time zone holding UTC, bound and read as
 * {@link LocalDateTime} so neither the JVM's nor the session's time zone takes part.
 */
final class Times {

    /** The range every supported database can hold (MariaDB's DATETIME: years 1000 to 9999). */
    private static final long MIN = LocalDateTime.of(1000, 1, 1, 0, 0).toInstant(ZoneOffset.UTC).toEpochMilli();
    private static final long MAX = LocalDateTime.of(9999, 12, 31, 23, 59, 59, 999_000_000)
            .toInstant(ZoneOffset.UTC).toEpochMilli();

    private Times() {
    }

    /** A bound for a range query; values beyond what the databases hold are clamped. */
    static LocalDateTime toSql(long millis) {
        return LocalDateTime.ofInstant(Instant.ofEpochMilli(Math.max(MIN, Math.min(MAX, millis))), ZoneOffset.UTC);
    }

    static LocalDateTime toSql(Instant instant) {
        return LocalDateTime.ofInstant(Instant.ofEpochMilli(instant.toEpochMilli()), ZoneOffset.UTC);
    }

    static Instant instant(ResultSet rs, int column) throws SQLException {
        return rs.getObject(column, LocalDateTime.class).toInstant(ZoneOffset.UTC);
    }

    static long millis(ResultSet rs, int column) throws SQLException {
        return instant(rs, column).toEpochMilli();
    }
}

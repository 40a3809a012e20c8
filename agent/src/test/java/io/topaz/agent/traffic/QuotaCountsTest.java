package io.topaz.agent.traffic;

import io.topaz.model.testing.PowerLossFileOperations;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;

/** The quota counts file after a power loss: a flushed count never comes back lower (which would over-admit). */
class QuotaCountsTest {

    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    private static final long NOW = Instant.parse("2026-03-01T04:00:00Z").toEpochMilli();

    private final PowerLossFileOperations files = new PowerLossFileOperations();

    @Test
    void flushedCountsSurviveAPowerLoss(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("traffic").resolve("quota-counts.properties");
        count(new QuotaCounts(file, ZONE, NOW), "app1-trade", 5); // on disk (and durable) before the test's writes
        QuotaCounts counts = new QuotaCounts(files, file, ZONE, NOW);
        count(counts, "app1-trade", 4); // replaces the file holding 5 with one holding 9

        files.losePower();

        // Without the directory force the older file (5) comes back; without the temp file's force, an empty one (0).
        QuotaCounts restarted = new QuotaCounts(files, file, ZONE, NOW + 1);
        assertThat(restarted.local("app1-trade", NOW + 1).get()).isEqualTo(9);
    }

    @Test
    void theFirstFlushSurvivesAPowerLoss(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("quota-counts.properties");
        QuotaCounts counts = new QuotaCounts(files, file, ZONE, NOW);
        counts.unsynced("app2-basic", NOW).addAndGet(3);
        count(counts, "app2-basic", 3);

        files.losePower();

        QuotaCounts restarted = new QuotaCounts(files, file, ZONE, NOW + 1);
        assertThat(restarted.local("app2-basic", NOW + 1).get()).isEqualTo(3);
        assertThat(restarted.unsynced("app2-basic", NOW + 1).get()).isEqualTo(3);
    }

    private static void count(QuotaCounts counts, String rule, long calls) {
        counts.local(rule, NOW).addAndGet(calls);
        counts.changed();
        counts.flush();
    }
}

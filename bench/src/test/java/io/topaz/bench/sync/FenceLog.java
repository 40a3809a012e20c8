package io.topaz.bench.sync;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * A test fixture on a MariaDB sync target: triggers on the fencing table {@code jdp_sync_fence} that record, in
 * {@code jdp_fence_log}, every fence a write transaction took (group, epoch, holder), in the order the row lock
 * granted them. Each target write moves the fence in its own transaction, so the log lists every committed write's
 * owner. {@link #problems} then checks that no stale owner wrote: per group the epochs never go down, one epoch has
 * one holder, and that holder is the agent ZooKeeper gave the lease to at that epoch ({@link LeaseWatcher#holderAt}).
 * Install it after the target's schema exists, before any write.
 */
final class FenceLog {

    /** What the log holds, after a run. */
    record Summary(long writes, int groups, long verified, long unverified, List<String> problems) {
    }

    private FenceLog() {
    }

    static void install(DataSource target) throws SQLException {
        try (Connection c = target.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE jdp_fence_log (id BIGINT AUTO_INCREMENT PRIMARY KEY, sync_group VARCHAR(128) "
                    + "NOT NULL, epoch BIGINT NOT NULL, holder VARCHAR(256) NOT NULL)");
            s.execute("CREATE TRIGGER jdp_sync_fence_taken AFTER UPDATE ON jdp_sync_fence FOR EACH ROW "
                    + "INSERT INTO jdp_fence_log (sync_group, epoch, holder) VALUES (NEW.sync_group, NEW.epoch, "
                    + "NEW.holder)");
            s.execute("CREATE TRIGGER jdp_sync_fence_first AFTER INSERT ON jdp_sync_fence FOR EACH ROW "
                    + "INSERT INTO jdp_fence_log (sync_group, epoch, holder) VALUES (NEW.sync_group, NEW.epoch, "
                    + "NEW.holder)");
        }
    }

    static Summary check(DataSource target, String targetName, LeaseWatcher watcher) throws SQLException {
        List<String> problems = new ArrayList<>();
        Map<String, long[]> last = new HashMap<>(); // group → {epoch}
        Map<String, String> epochHolder = new HashMap<>(); // group/epoch → holder
        long writes = 0;
        long verified = 0;
        long unverified = 0;
        try (Connection c = target.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT id, sync_group, epoch, holder FROM jdp_fence_log ORDER BY id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                writes++;
                String group = rs.getString(2);
                long epoch = rs.getLong(3);
                String holder = rs.getString(4);
                long[] prev = last.computeIfAbsent(group, g -> new long[] {0});
                if (epoch < prev[0]) {
                    problems.add("write #" + rs.getLong(1) + " of " + group + " by " + holder + " at epoch " + epoch
                            + " after epoch " + prev[0] + " had written (a stale owner)");
                }
                prev[0] = Math.max(prev[0], epoch);
                String before = epochHolder.putIfAbsent(group + "/" + epoch, holder);
                if (before != null && !before.equals(holder)) {
                    problems.add("epoch " + epoch + " of " + group + " written by " + before + " and " + holder);
                }
                if (before == null) {
                    String zk = watcher.holderAt(targetName, group, epoch);
                    if (zk == null) {
                        unverified++;
                    } else if (zk.equals(holder)) {
                        verified++;
                    } else {
                        problems.add("epoch " + epoch + " of " + group + " written by " + holder
                                + ", but ZooKeeper gave that epoch's lease to " + zk);
                    }
                }
            }
        }
        return new Summary(writes, last.size(), verified, unverified, problems);
    }
}

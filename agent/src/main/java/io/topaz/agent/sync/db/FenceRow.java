package io.topaz.agent.sync.db;

import io.topaz.agent.sync.Fence;
import io.topaz.agent.sync.FencedException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * The fencing row {@code jdp_sync_fence(sync_group, epoch, holder, updated)}, moved to the writer's epoch inside the
 * write's own transaction: {@code UPDATE … SET epoch = ?, holder = ? WHERE sync_group = ? AND epoch <= ?}. The row
 * stays locked until the transaction ends, so writers of one group are serialized, and a writer whose epoch is below
 * the row's is refused before it writes anything.
 */
final class FenceRow {

    private FenceRow() {
    }

    /** Takes the fence in {@code c}'s open transaction, or throws {@link FencedException} (the caller rolls back). */
    static void take(Connection c, Dialect dialect, Fence fence, Instant now) throws SQLException, FencedException {
        for (int attempt = 0; attempt < 2; attempt++) {
            if (update(c, fence, now) == 1) {
                return;
            }
            // 0 rows: a higher epoch, no row yet, or (MariaDB, counting changed rows) nothing to change
            Long current = lockedEpoch(c, fence.group());
            if (current != null) {
                if (current <= fence.epoch()) {
                    return;
                }
                throw new FencedException(fence, current);
            }
            try (PreparedStatement ps = c.prepareStatement(dialect.insertIgnoreFence())) {
                ps.setString(1, fence.group());
                ps.setLong(2, fence.epoch());
                ps.setString(3, fence.holder());
                ps.setObject(4, Times.toSql(now));
                if (dialect.fenceInsertRepeatsGroup()) {
                    ps.setString(5, fence.group());
                }
                if (ps.executeUpdate() == 1) {
                    return;
                }
            } catch (SQLException e) {
                // H2's insert-unless-present can still meet a concurrent insert (a failed statement leaves H2's
                // transaction usable); PostgreSQL and MariaDB ignore the conflict themselves
                if (dialect != Dialect.H2 || !"23505".equals(e.getSQLState())) {
                    throw e;
                }
            }
            // another writer inserted the row meanwhile: compare with its epoch
        }
        Long current = lockedEpoch(c, fence.group());
        throw new FencedException(fence, current == null ? -1 : current);
    }

    private static int update(Connection c, Fence fence, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE jdp_sync_fence SET epoch = ?, holder = ?, updated = ? WHERE sync_group = ? AND epoch <= ?")) {
            ps.setLong(1, fence.epoch());
            ps.setString(2, fence.holder());
            ps.setObject(3, Times.toSql(now));
            ps.setString(4, fence.group());
            ps.setLong(5, fence.epoch());
            return ps.executeUpdate();
        }
    }

    private static Long lockedEpoch(Connection c, String group) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT epoch FROM jdp_sync_fence WHERE sync_group = ? FOR UPDATE")) {
            ps.setString(1, group);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }
}

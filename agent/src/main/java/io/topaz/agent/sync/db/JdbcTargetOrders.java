package io.topaz.agent.sync.db;

import io.topaz.agent.sync.BucketRange;
import io.topaz.agent.sync.Fence;
import io.topaz.agent.sync.FencedException;
import io.topaz.agent.sync.JdpResponse;
import io.topaz.agent.sync.OrderKey;
import io.topaz.agent.sync.OrderRow;
import io.topaz.agent.sync.RangeDigest;
import io.topaz.agent.sync.TargetOrders;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import javax.sql.DataSource;

/**
 * {@link TargetOrders} over JDBC, for PostgreSQL, MariaDB/MySQL and H2 ({@link Dialect}). A write is one transaction:
 * the fencing row first ({@link FenceRow}), then one conditional upsert per row as a JDBC batch (rows sorted by tid,
 * so concurrent writers lock in the same order), then commit — a connection lost mid-batch leaves nothing written.
 *
 * <p>Update counts per row, as each driver reports them: PostgreSQL and H2 1 for an insert or an update, 0 when the
 * guard refused; MariaDB (with {@code useAffectedRows=true}, set by {@link SyncPools}) 1 inserted, 2 updated,
 * 0 unchanged. A driver that answers {@code SUCCESS_NO_INFO} (a rewritten or bulk batch) is counted as written.
 */
public final class JdbcTargetOrders implements TargetOrders {

    private static final int BATCH = 1_000;

    private final DataSource dataSource;
    private final Dialect dialect;
    private final Clock clock;
    private final KeyQueries queries;
    private final String upsert;

    public JdbcTargetOrders(DataSource dataSource, Dialect dialect, Clock clock) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.clock = clock;
        this.queries = new KeyQueries(dataSource, dialect, "jdp_tb_trade", "jdp_bucket", "jdp_delete");
        this.upsert = dialect.upsertTarget();
    }

    public Dialect dialect() {
        return dialect;
    }

    @Override
    public void ensureSchema() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            TargetSchema.ensure(c, dialect);
        }
    }

    @Override
    public WriteResult write(Collection<OrderRow> rows, Fence fence) throws SQLException, FencedException {
        if (rows.isEmpty()) {
            return new WriteResult(0, 0);
        }
        List<OrderRow> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingLong(OrderRow::tid));
        Instant now = clock.instant();
        LocalDateTime written = Times.toSql(now);
        int changed = 0;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                FenceRow.take(c, dialect, fence, now);
                try (PreparedStatement ps = c.prepareStatement(upsert)) {
                    for (int from = 0; from < sorted.size(); from += BATCH) {
                        for (OrderRow row : sorted.subList(from, Math.min(sorted.size(), from + BATCH))) {
                            bind(ps, row, written);
                            ps.addBatch();
                        }
                        for (int count : ps.executeBatch()) {
                            if (count > 0 || count == Statement.SUCCESS_NO_INFO) {
                                changed++;
                            }
                        }
                    }
                }
                c.commit();
            } catch (SQLException | FencedException | RuntimeException e) {
                rollback(c, e);
                throw e;
            }
        }
        return new WriteResult(changed, sorted.size() - changed);
    }

    private static void bind(PreparedStatement ps, OrderRow row, LocalDateTime now) throws SQLException {
        String response = JdpResponse.of(row.document());
        int i = 1;
        ps.setLong(i++, row.tid());
        ps.setString(i++, row.status());
        ps.setString(i++, row.type());
        ps.setString(i++, row.sellerNick());
        ps.setString(i++, row.buyerNick());
        ps.setObject(i++, Times.toSql(row.created()));
        ps.setObject(i++, Times.toSql(row.modified()));
        ps.setString(i++, JdpResponse.hashcode(row.document()));
        ps.setString(i++, response);
        ps.setObject(i++, now);
        ps.setObject(i++, now);
        ps.setBoolean(i++, row.deleted());
        ps.setInt(i, row.bucket());
    }

    @Override
    public int purgeDeleted(BucketRange buckets, int limit, Fence fence) throws SQLException, FencedException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                FenceRow.take(c, dialect, fence, clock.instant());
                int deleted;
                try (PreparedStatement ps = c.prepareStatement(dialect.purge())) {
                    ps.setInt(1, buckets.from());
                    ps.setInt(2, buckets.to());
                    ps.setInt(3, limit);
                    deleted = ps.executeUpdate();
                }
                c.commit();
                return deleted;
            } catch (SQLException | FencedException | RuntimeException e) {
                rollback(c, e);
                throw e;
            }
        }
    }

    static void rollback(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e); // the connection is gone: the database rolls the transaction back itself
        }
    }

    @Override
    public List<OrderKey> keysModified(BucketRange buckets, long fromMillis, long toMillis) throws SQLException {
        return queries.keysModified(buckets, fromMillis, toMillis);
    }

    @Override
    public List<RangeDigest> digests(BucketRange buckets, long fromMillis, long toMillis, long tidFrom, long tidTo,
                                     int parts) throws SQLException {
        return queries.digests(buckets, fromMillis, toMillis, tidFrom, tidTo, parts);
    }

    @Override
    public RangeDigest digest(BucketRange buckets, long fromMillis, long toMillis) throws SQLException {
        return queries.digest(buckets, fromMillis, toMillis);
    }

    @Override
    public List<OrderKey> keys(BucketRange buckets, long fromMillis, long toMillis, long tidFrom, long tidTo)
            throws SQLException {
        return queries.keys(buckets, fromMillis, toMillis, tidFrom, tidTo);
    }

    @Override
    public List<OrderKey> keysOf(Collection<Long> tids) throws SQLException {
        return queries.keysOf(tids);
    }

    /** Closes the pool it was given, when it is one. */
    @Override
    public void close() {
        if (dataSource instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the target pool failed", e);
            }
        }
    }
}

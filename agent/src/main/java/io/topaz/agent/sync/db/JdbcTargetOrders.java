package io.topaz.agent.sync.db;

import io.topaz.agent.sync.Fence;
import io.topaz.agent.sync.FencedException;
import io.topaz.agent.sync.JdpResponse;
import io.topaz.agent.sync.OrderKey;
import io.topaz.agent.sync.OrderRow;
import io.topaz.agent.sync.RangeDigest;
import io.topaz.agent.sync.SellerScope;
import io.topaz.agent.sync.TargetOrders;
import io.topaz.agent.sync.TidRange;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * {@link TargetOrders} over JDBC, for PostgreSQL, MariaDB/MySQL and H2 ({@link Dialect}). A write is one transaction:
 * the fencing row first ({@link FenceRow}), then one conditional upsert per row as a JDBC batch (rows sorted by tid,
 * so concurrent writers lock in the same order), then commit — a connection lost mid-batch leaves nothing written.
 *
 * <p>Written and skipped rows come from the update counts, as each driver reports them: PostgreSQL and H2, one
 * statement per row in a JDBC batch, 1 for an insert or an update and 0 when the guard refused (a driver answering
 * {@code SUCCESS_NO_INFO}, e.g. PostgreSQL with {@code reWriteBatchedInserts}, is counted as written); MariaDB, with
 * {@code useAffectedRows=true} (set by {@link SyncPools}; the default "found rows" would count an unchanged row like
 * an insert), 1 per inserted row, 2 per updated row and 0 per unchanged row, summed over a multi-row statement.
 */
public final class JdbcTargetOrders implements TargetOrders {

    private static final int BATCH = 1_000;
    private static final int ROWS_PER_STATEMENT = 250;

    private final DataSource dataSource;
    private final Dialect dialect;
    private final Clock clock;
    private final KeyQueries queries;
    private final String upsert;

    public JdbcTargetOrders(DataSource dataSource, Dialect dialect, Clock clock) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.clock = clock;
        this.queries = new KeyQueries(dataSource, dialect, "jdp_tb_trade", "jdp_bucket", "jdp_delete",
                "seller_nick", "ind_jdp_tb_trade_delete");
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
        List<OrderRow> sorted = newestPerTid(rows);
        Instant now = clock.instant();
        LocalDateTime written = Times.toSql(now);
        int changed = 0;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                FenceRow.take(c, dialect, fence, now);
                changed = dialect == Dialect.MARIADB ? upsertMultiRow(c, sorted, written) : upsertBatch(c, sorted, written);
                c.commit();
            } catch (SQLException | FencedException | RuntimeException e) {
                rollback(c, e);
                throw e;
            }
        }
        return new WriteResult(changed, rows.size() - changed);
    }

    /**
     * The rows to write, sorted by tid, one per tid: of versions given together, the newest (the later one when
     * equal) — what writing them one after the other would leave. The others count as skipped.
     */
    static List<OrderRow> newestPerTid(Collection<OrderRow> rows) {
        java.util.Map<Long, OrderRow> newest = new java.util.TreeMap<>();
        for (OrderRow row : rows) {
            newest.merge(row.tid(), row, (a, b) -> b.modified().isBefore(a.modified()) ? a : b);
        }
        return new ArrayList<>(newest.values());
    }

    /** One statement per row, sent as a JDBC batch; returns the rows written. */
    private int upsertBatch(Connection c, List<OrderRow> rows, LocalDateTime now) throws SQLException {
        int changed = 0;
        try (PreparedStatement ps = c.prepareStatement(upsert)) {
            for (int from = 0; from < rows.size(); from += BATCH) {
                for (OrderRow row : rows.subList(from, Math.min(rows.size(), from + BATCH))) {
                    bind(ps, 1, row, now);
                    ps.addBatch();
                }
                for (int count : ps.executeBatch()) {
                    if (count > 0 || count == Statement.SUCCESS_NO_INFO) {
                        changed++;
                    }
                }
            }
        }
        return changed;
    }

    /**
     * MariaDB: one statement per {@value #ROWS_PER_STATEMENT} rows ({@code VALUES (…), (…) ON DUPLICATE KEY UPDATE}),
     * several times faster than a batch of single-row statements, which MariaDB executes one round trip each. Its
     * affected-rows count is inserted + 2 × updated; the rows already present are counted first (a plain read: the
     * fence lock keeps the group's other writers out, and no other group writes these tids), which separates the
     * two (rows come one per tid, {@link #newestPerTid}).
     */
    private int upsertMultiRow(Connection c, List<OrderRow> rows, LocalDateTime now) throws SQLException {
        String single = upsert;
        int values = single.indexOf(" VALUES (") + " VALUES ".length();
        int onDuplicate = single.indexOf(" ON DUPLICATE KEY UPDATE ");
        String tuple = single.substring(values, onDuplicate);
        int changed = 0;
        for (int from = 0; from < rows.size(); from += ROWS_PER_STATEMENT) {
            List<OrderRow> chunk = rows.subList(from, Math.min(rows.size(), from + ROWS_PER_STATEMENT));
            int present;
            try (PreparedStatement count = c.prepareStatement("SELECT COUNT(*) FROM jdp_tb_trade WHERE tid IN ("
                    + Dialect.marks(chunk.size()) + ")")) {
                for (int i = 0; i < chunk.size(); i++) {
                    count.setLong(i + 1, chunk.get(i).tid());
                }
                try (java.sql.ResultSet rs = count.executeQuery()) {
                    rs.next();
                    present = rs.getInt(1);
                }
            }
            String sql = single.substring(0, values) + String.join(", ", java.util.Collections.nCopies(chunk.size(),
                    tuple)) + single.substring(onDuplicate);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                for (OrderRow row : chunk) {
                    i = bind(ps, i, row, now);
                }
                int affected = ps.executeUpdate();
                int inserted = chunk.size() - present;
                changed += inserted + (affected - inserted) / 2;
            }
        }
        return changed;
    }

    /** Binds one row's columns from parameter {@code i}; returns the next parameter index. */
    private static int bind(PreparedStatement ps, int first, OrderRow row, LocalDateTime now) throws SQLException {
        String response = JdpResponse.of(row.document());
        int i = first;
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
        ps.setInt(i++, row.bucket());
        return i;
    }

    /**
     * Deletes, in one transaction with the fence, up to {@code limit} rows of the scope marked {@code jdp_delete}
     * (statement by statement over a long seller list, until {@code limit} rows are gone).
     */
    @Override
    public int purgeDeleted(SellerScope scope, int limit, Fence fence) throws SQLException, FencedException {
        if (scope.empty()) {
            return 0;
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                FenceRow.take(c, dialect, fence, clock.instant());
                int deleted = 0;
                for (SellerScope s : scope.chunks()) {
                    if (deleted >= limit) {
                        break;
                    }
                    StringBuilder where = new StringBuilder();
                    List<Object> params = new ArrayList<>();
                    queries.scopeWhere(s, where, params);
                    String sql = dialect.purge(where.isEmpty() ? "" : " AND " + where);
                    try (PreparedStatement ps = c.prepareStatement(sql)) {
                        int i = new KeyQueries.Where(sql, params).bind(ps, 1);
                        ps.setInt(i, limit - deleted);
                        deleted += ps.executeUpdate();
                    }
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
    public List<OrderKey> keysModified(SellerScope scope, long fromMillis, long toMillis) throws SQLException {
        return queries.keysModified(scope, fromMillis, toMillis);
    }

    @Override
    public List<RangeDigest> digests(SellerScope scope, long fromMillis, long toMillis, long tidFrom, long tidTo,
                                     int parts) throws SQLException {
        return queries.digests(scope, fromMillis, toMillis, tidFrom, tidTo, parts);
    }

    @Override
    public RangeDigest digest(SellerScope scope, long fromMillis, long toMillis) throws SQLException {
        return queries.digest(scope, fromMillis, toMillis);
    }

    @Override
    public Optional<TidRange> liveTids(SellerScope scope, long fromMillis, long toMillis) throws SQLException {
        return queries.liveTids(scope, fromMillis, toMillis);
    }

    @Override
    public List<OrderKey> keys(SellerScope scope, long fromMillis, long toMillis, long tidFrom, long tidTo)
            throws SQLException {
        return queries.keys(scope, fromMillis, toMillis, tidFrom, tidTo);
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

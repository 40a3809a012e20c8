package io.topaz.agent.sync.db;

import io.topaz.agent.sync.OrderKey;
import io.topaz.agent.sync.OrderRow;
import io.topaz.agent.sync.RangeDigest;
import io.topaz.agent.sync.SellerScope;
import io.topaz.agent.sync.SourceOrders;
import io.topaz.agent.sync.TidRange;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * {@link SourceOrders} over the platform's {@code tb_trade} ({@link SourceSchema}), on PostgreSQL, H2 or MariaDB.
 * Also writes orders ({@link #save}) for the traffic generator and the tests, the way a trade center would.
 */
public final class JdbcSourceOrders implements SourceOrders {

    private static final int IN_CHUNK = 500;
    private static final String COLUMNS = "tid, seller_id, seller_nick, buyer_nick, status, type, created, modified, "
            + "deleted, bucket, document";

    private final DataSource dataSource;
    private final Dialect dialect;
    private final KeyQueries queries;

    public JdbcSourceOrders(DataSource dataSource, Dialect dialect) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.queries = new KeyQueries(dataSource, dialect, "tb_trade", "bucket", "deleted", "seller_id", null);
    }

    public Dialect dialect() {
        return dialect;
    }

    /** Creates {@code tb_trade} when missing ({@link SourceSchema#ensure}). */
    public void ensureSchema() throws SQLException {
        SourceSchema.ensure(dataSource);
    }

    @Override
    public List<OrderRow> read(Collection<Long> tids) throws SQLException {
        List<OrderRow> rows = new ArrayList<>(tids.size());
        List<Long> all = List.copyOf(tids);
        try (Connection c = dataSource.getConnection()) {
            for (int from = 0; from < all.size(); from += IN_CHUNK) {
                List<Long> chunk = all.subList(from, Math.min(all.size(), from + IN_CHUNK));
                try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM tb_trade WHERE tid IN ("
                        + Dialect.marks(chunk.size()) + ")")) {
                    for (int i = 0; i < chunk.size(); i++) {
                        ps.setLong(i + 1, chunk.get(i));
                    }
                    readRows(ps, rows);
                }
            }
        }
        rows.sort(Comparator.comparingLong(OrderRow::tid));
        return rows;
    }

    @Override
    public List<OrderRow> page(SellerScope scope, long sinceMillis, long afterTid, int limit) throws SQLException {
        List<OrderRow> rows = new ArrayList<>();
        for (SellerScope s : scope.chunks()) {
            StringBuilder where = new StringBuilder();
            List<Object> params = new ArrayList<>();
            queries.scopeWhere(s, where, params);
            String sql = "SELECT " + COLUMNS + " FROM tb_trade WHERE " + where + (where.isEmpty() ? "" : " AND ")
                    + "modified >= ? AND tid > ? ORDER BY tid"
                    + (dialect == Dialect.MARIADB ? " LIMIT " + limit : " FETCH FIRST " + limit + " ROWS ONLY");
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
                int i = new KeyQueries.Where(sql, params).bind(ps, 1);
                ps.setObject(i++, Times.toSql(sinceMillis));
                ps.setLong(i, afterTid);
                readRows(ps, rows);
            }
        }
        if (scope.chunks().size() > 1) { // each chunk's first rows: the page is the smallest tids of them all
            rows.sort(Comparator.comparingLong(OrderRow::tid));
            return new ArrayList<>(rows.subList(0, Math.min(limit, rows.size())));
        }
        return rows;
    }

    private static void readRows(PreparedStatement ps, List<OrderRow> into) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                into.add(new OrderRow(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), Times.instant(rs, 7), Times.instant(rs, 8),
                        rs.getBoolean(9), rs.getInt(10), rs.getString(11)));
            }
        }
    }

    /**
     * Inserts or replaces these orders, unconditionally, in one transaction (JDBC batches). {@code payment} is left
     * empty (the document carries it); {@link #save(Collection, java.util.function.Function)} sets it.
     */
    public void save(Collection<OrderRow> rows) throws SQLException {
        save(rows, row -> null);
    }

    /** As {@link #save(Collection)}, with each order's payment. */
    public void save(Collection<OrderRow> rows, java.util.function.Function<OrderRow, BigDecimal> payment)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(dialect.upsertSource())) {
                int pending = 0;
                for (OrderRow row : rows) {
                    int i = 1;
                    ps.setLong(i++, row.tid());
                    ps.setLong(i++, row.sellerId());
                    ps.setString(i++, row.sellerNick());
                    ps.setString(i++, row.buyerNick());
                    ps.setString(i++, row.status());
                    ps.setString(i++, row.type());
                    ps.setObject(i++, Times.toSql(row.created()));
                    ps.setObject(i++, Times.toSql(row.modified()));
                    BigDecimal paid = payment.apply(row);
                    if (paid == null) {
                        ps.setNull(i++, Types.NUMERIC);
                    } else {
                        ps.setBigDecimal(i++, paid);
                    }
                    ps.setBoolean(i++, row.deleted());
                    ps.setInt(i++, row.bucket());
                    ps.setString(i, row.document());
                    ps.addBatch();
                    if (++pending == 1_000) {
                        ps.executeBatch();
                        pending = 0;
                    }
                }
                if (pending > 0) {
                    ps.executeBatch();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                JdbcTargetOrders.rollback(c, e);
                throw e;
            }
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

    /** Keys of these orders, as the source holds them (with {@code jdp_hashcode} computed by the database). */
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
                throw new IllegalStateException("closing the source pool failed", e);
            }
        }
    }
}

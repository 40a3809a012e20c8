package io.topaz.agent.sync.db;

import io.topaz.agent.sync.OrderKey;
import io.topaz.agent.sync.RangeDigest;
import io.topaz.agent.sync.SellerScope;
import io.topaz.agent.sync.TidRange;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The reconciliation reads, the same on both sides: keys of a modified range, keys and digests of tid ranges. The
 * source's {@code tb_trade(bucket, deleted)} and the target's {@code jdp_tb_trade(jdp_bucket, jdp_delete)} differ
 * only in those two column names; {@code tid}, {@code modified} and {@code jdp_hashcode} are named alike.
 *
 * <p>A digest covers the live rows only (not deleted): a deleted order is purged from the target in time while the
 * source keeps it, and a purged row must not make its range differ forever. Keys include deleted rows, so a leaf sees
 * a deletion the target has not had yet.
 */
final class KeyQueries {

    private static final int IN_CHUNK = 500;

    private final DataSource dataSource;
    private final Dialect dialect;
    private final String table;
    private final String bucket;
    private final String deleted;
    private final String from;
    private final String seller;
    private final boolean bySellerId;

    /**
     * @param seller  the column sellers are filtered by: the source's {@code seller_id}, the target's
     *                {@code seller_nick} (JDP's table has no seller id)
     * @param avoided an index the range reads must not go through, or null: the target's {@code (jdp_delete,
     *                jdp_bucket)} looks selective to MariaDB for {@code NOT jdp_delete} and the bucket range, yet
     *                reading a range through it costs one random clustered-index lookup per row — at 1,000,000 rows
     *                80 s for a digest that a tid-ordered scan of the table computes in 4 s
     */
    KeyQueries(DataSource dataSource, Dialect dialect, String table, String bucket, String deleted, String seller,
               String avoided) {
        this.dataSource = dataSource;
        this.seller = seller;
        this.bySellerId = seller.equals("seller_id");
        this.dialect = dialect;
        this.table = table;
        this.bucket = bucket;
        this.deleted = deleted;
        this.from = avoided == null ? table : dialect.avoiding(table, avoided);
    }

    private String keyColumns() {
        return "tid, modified, jdp_hashcode, " + deleted;
    }

    /** A WHERE clause's text and its parameters, in order. */
    record Where(String sql, List<Object> params) {
        int bind(PreparedStatement ps, int first) throws SQLException {
            int i = first;
            for (Object p : params) {
                ps.setObject(i++, p);
            }
            return i;
        }
    }

    /**
     * The scope's rows ({@code buckets}, sellers included or excluded) modified in {@code [fromMillis, toMillis)}.
     * A seller list is padded (its last seller repeated) to one of a few lengths, so the databases see a handful of
     * statement shapes, not one per list length.
     */
    Where where(SellerScope scope, long fromMillis, long toMillis) {
        StringBuilder sql = new StringBuilder();
        List<Object> params = new ArrayList<>();
        scopeWhere(scope, sql, params);
        sql.append(sql.isEmpty() ? "" : " AND ").append("modified >= ? AND modified < ?");
        params.add(Times.toSql(fromMillis));
        params.add(Times.toSql(toMillis));
        return new Where(sql.toString(), params);
    }

    /** The scope's part of a WHERE clause alone (no time range); empty when it is every row. */
    void scopeWhere(SellerScope scope, StringBuilder sql, List<Object> params) {
        if (scope.buckets() != null) {
            sql.append(bucket).append(" >= ? AND ").append(bucket).append(" < ?");
            params.add(scope.buckets().from());
            params.add(scope.buckets().to());
        }
        java.util.Map<Long, String> listed = scope.sellers() != null ? scope.sellers() : scope.excluded();
        if (listed.isEmpty()) {
            return;
        }
        List<Object> values = new ArrayList<>(listed.size());
        listed.forEach((id, nick) -> values.add(bySellerId ? id : nick));
        int n = padded(values.size());
        while (values.size() < n) {
            values.add(values.get(values.size() - 1));
        }
        sql.append(sql.isEmpty() ? "" : " AND ").append(seller).append(scope.sellers() != null ? " IN (" : " NOT IN (")
                .append(Dialect.marks(n)).append(')');
        params.addAll(values);
    }

    /** The list length a seller list is padded to: 1, 4, 16, 64, 256, then {@link SellerScope#CHUNK}. */
    static int padded(int n) {
        int p = 1;
        while (p < n && p < 256) {
            p *= 4;
        }
        return n <= p ? p : Math.max(n, SellerScope.CHUNK);
    }

    List<OrderKey> keysModified(SellerScope scope, long fromMillis, long toMillis) throws SQLException {
        List<OrderKey> keys = new ArrayList<>();
        for (SellerScope s : scope.chunks()) {
            Where w = where(s, fromMillis, toMillis);
            String sql = "SELECT " + keyColumns() + " FROM " + from + " WHERE " + w.sql() + " ORDER BY tid";
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
                w.bind(ps, 1);
                keys.addAll(readKeys(ps));
            }
        }
        return sortedIfChunked(scope, keys);
    }

    List<OrderKey> keys(SellerScope scope, long fromMillis, long toMillis, long tidFrom, long tidTo)
            throws SQLException {
        List<OrderKey> keys = new ArrayList<>();
        for (SellerScope s : scope.chunks()) {
            Where w = where(s, fromMillis, toMillis);
            String sql = "SELECT " + keyColumns() + " FROM " + from + " WHERE " + w.sql()
                    + " AND tid >= ? AND tid < ? ORDER BY tid";
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
                int i = w.bind(ps, 1);
                ps.setLong(i++, tidFrom);
                ps.setLong(i, tidTo);
                keys.addAll(readKeys(ps));
            }
        }
        return sortedIfChunked(scope, keys);
    }

    private static List<OrderKey> sortedIfChunked(SellerScope scope, List<OrderKey> keys) {
        if (scope.chunks().size() > 1) {
            keys.sort(java.util.Comparator.comparingLong(OrderKey::tid));
        }
        return keys;
    }

    List<OrderKey> keysOf(Collection<Long> tids) throws SQLException {
        List<OrderKey> keys = new ArrayList<>();
        List<Long> all = List.copyOf(tids);
        try (Connection c = dataSource.getConnection()) {
            for (int from = 0; from < all.size(); from += IN_CHUNK) {
                List<Long> chunk = all.subList(from, Math.min(all.size(), from + IN_CHUNK));
                String sql = "SELECT " + keyColumns() + " FROM " + table + " WHERE tid IN ("
                        + Dialect.marks(chunk.size()) + ") ORDER BY tid";
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    for (int i = 0; i < chunk.size(); i++) {
                        ps.setLong(i + 1, chunk.get(i));
                    }
                    keys.addAll(readKeys(ps));
                }
            }
        }
        keys.sort(java.util.Comparator.comparingLong(OrderKey::tid));
        return keys;
    }

    /** The per-row hash expression over this table's columns. */
    private String rowHash() {
        return dialect.rowHash("tid", dialect.millis("modified"), "jdp_hashcode");
    }

    /**
     * Digests of {@code parts} tid ranges; with a long seller list, one grouped scan per chunk, added up (count and
     * hash sum are additive over disjoint sellers, so the answer does not depend on the chunking).
     */
    List<RangeDigest> digests(SellerScope scope, long fromMillis, long toMillis, long tidFrom, long tidTo, int parts)
            throws SQLException {
        if (parts < 1) {
            throw new IllegalArgumentException("parts must be at least 1, was " + parts);
        }
        long span = Math.subtractExact(tidTo, tidFrom);
        if (span <= 0) {
            throw new IllegalArgumentException("empty tid range [" + tidFrom + ", " + tidTo + ")");
        }
        long step = span / parts + (span % parts == 0 ? 0 : 1);
        int n = (int) (span / step + (span % step == 0 ? 0 : 1));
        long[] counts = new long[n];
        long[] hashes = new long[n];
        String part = dialect.intDiv("tid - " + dialect.bigintParameter(), dialect.bigintParameter());
        for (SellerScope s : scope.chunks()) {
            Where w = where(s, fromMillis, toMillis);
            String sql = "SELECT part, COUNT(*), SUM(h) FROM (SELECT " + part + " AS part, " + rowHash() + " AS h FROM "
                    + from + " WHERE " + w.sql() + " AND tid >= ? AND tid < ? AND NOT " + deleted
                    + ") x GROUP BY part";
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, tidFrom);
                ps.setLong(2, step);
                int i = w.bind(ps, 3);
                ps.setLong(i++, tidFrom);
                ps.setLong(i, tidTo);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int p = (int) rs.getLong(1);
                        counts[p] += rs.getLong(2);
                        hashes[p] += low64(rs.getBigDecimal(3));
                    }
                }
            }
        }
        List<RangeDigest> digests = new ArrayList<>(n);
        for (int p = 0; p < n; p++) {
            long from = tidFrom + p * step;
            long to = p == n - 1 ? tidTo : from + step;
            digests.add(new RangeDigest(from, to, counts[p], hashes[p]));
        }
        return digests;
    }

    /** The digest of all live rows of the scope, over the tightest tid range holding them ([0, 1) when none). */
    RangeDigest digest(SellerScope scope, long fromMillis, long toMillis) throws SQLException {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        long count = 0;
        long hash = 0;
        for (SellerScope s : scope.chunks()) {
            Where w = where(s, fromMillis, toMillis);
            String sql = "SELECT MIN(tid), MAX(tid), COUNT(*), SUM(" + rowHash() + ") FROM " + from + " WHERE "
                    + w.sql() + " AND NOT " + deleted;
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
                w.bind(ps, 1);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    long n = rs.getLong(3);
                    if (n > 0) {
                        min = Math.min(min, rs.getLong(1));
                        max = Math.max(max, rs.getLong(2));
                        count += n;
                        hash += low64(rs.getBigDecimal(4));
                    }
                }
            }
        }
        return count == 0 ? new RangeDigest(0, 1, 0, 0) : new RangeDigest(min, max + 1, count, hash);
    }

    /** The smallest and largest live tid of the scope: two probes of the primary key per chunk, no row hashed. */
    Optional<TidRange> liveTids(SellerScope scope, long fromMillis, long toMillis) throws SQLException {
        Long lo = null;
        Long hi = null;
        try (Connection c = dataSource.getConnection()) {
            for (SellerScope s : scope.chunks()) {
                Where w = where(s, fromMillis, toMillis);
                String where = " WHERE " + w.sql() + " AND NOT " + deleted + " ORDER BY tid";
                Long first = firstTid(c, "SELECT tid FROM " + from + where + dialect.firstRowOnly(), w);
                if (first == null) {
                    continue;
                }
                Long last = firstTid(c, "SELECT tid FROM " + from + where + " DESC" + dialect.firstRowOnly(), w);
                lo = lo == null ? first : Math.min(lo, first);
                hi = Math.max(hi == null ? first : hi, last == null ? first : last);
            }
        }
        return lo == null ? Optional.empty() : Optional.of(new TidRange(lo, hi + 1));
    }

    private Long firstTid(Connection c, String sql, Where w) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            w.bind(ps, 1);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    private static long low64(BigDecimal sum) {
        return sum == null ? 0 : sum.toBigInteger().longValue();
    }

    private static List<OrderKey> readKeys(PreparedStatement ps) throws SQLException {
        List<OrderKey> keys = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                keys.add(new OrderKey(rs.getLong(1), Times.millis(rs, 2), rs.getString(3), rs.getBoolean(4)));
            }
        }
        return keys;
    }
}

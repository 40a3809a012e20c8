package io.topaz.agent.sync.db;

import io.topaz.agent.sync.BucketRange;
import io.topaz.agent.sync.OrderKey;
import io.topaz.agent.sync.RangeDigest;
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

    /**
     * @param avoided an index the range reads must not go through, or null: the target's {@code (jdp_delete,
     *                jdp_bucket)} looks selective to MariaDB for {@code NOT jdp_delete} and the bucket range, yet
     *                reading a range through it costs one random clustered-index lookup per row — at 1,000,000 rows
     *                80 s for a digest that a tid-ordered scan of the table computes in 4 s
     */
    KeyQueries(DataSource dataSource, Dialect dialect, String table, String bucket, String deleted, String avoided) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.table = table;
        this.bucket = bucket;
        this.deleted = deleted;
        this.from = avoided == null ? table : dialect.avoiding(table, avoided);
    }

    private String keyColumns() {
        return "tid, modified, jdp_hashcode, " + deleted;
    }

    private String rangeWhere() {
        return bucket + " >= ? AND " + bucket + " < ? AND modified >= ? AND modified < ?";
    }

    List<OrderKey> keysModified(BucketRange buckets, long fromMillis, long toMillis) throws SQLException {
        String sql = "SELECT " + keyColumns() + " FROM " + from + " WHERE " + rangeWhere() + " ORDER BY tid";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bindRange(ps, 1, buckets, fromMillis, toMillis);
            return readKeys(ps);
        }
    }

    List<OrderKey> keys(BucketRange buckets, long fromMillis, long toMillis, long tidFrom, long tidTo)
            throws SQLException {
        String sql = "SELECT " + keyColumns() + " FROM " + from + " WHERE " + rangeWhere()
                + " AND tid >= ? AND tid < ? ORDER BY tid";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int i = bindRange(ps, 1, buckets, fromMillis, toMillis);
            ps.setLong(i++, tidFrom);
            ps.setLong(i, tidTo);
            return readKeys(ps);
        }
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

    List<RangeDigest> digests(BucketRange buckets, long fromMillis, long toMillis, long tidFrom, long tidTo, int parts)
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
        String sql = "SELECT part, COUNT(*), SUM(h) FROM (SELECT " + part + " AS part, " + rowHash() + " AS h FROM "
                + from + " WHERE " + rangeWhere() + " AND tid >= ? AND tid < ? AND NOT " + deleted
                + ") x GROUP BY part";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, tidFrom);
            ps.setLong(2, step);
            int i = bindRange(ps, 3, buckets, fromMillis, toMillis);
            ps.setLong(i++, tidFrom);
            ps.setLong(i, tidTo);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int p = (int) rs.getLong(1);
                    counts[p] = rs.getLong(2);
                    hashes[p] = low64(rs.getBigDecimal(3));
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

    /** The digest of all live rows of the range, over the tightest tid range holding them ([0, 1) when none). */
    RangeDigest digest(BucketRange buckets, long fromMillis, long toMillis) throws SQLException {
        String sql = "SELECT MIN(tid), MAX(tid), COUNT(*), SUM(" + rowHash() + ") FROM " + from + " WHERE "
                + rangeWhere() + " AND NOT " + deleted;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bindRange(ps, 1, buckets, fromMillis, toMillis);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long count = rs.getLong(3);
                if (count == 0) {
                    return new RangeDigest(0, 1, 0, 0);
                }
                return new RangeDigest(rs.getLong(1), rs.getLong(2) + 1, count, low64(rs.getBigDecimal(4)));
            }
        }
    }

    /** The smallest and largest live tid of the range: two probes of the primary key, no row hashed. */
    Optional<TidRange> liveTids(BucketRange buckets, long fromMillis, long toMillis) throws SQLException {
        String where = " WHERE " + rangeWhere() + " AND NOT " + deleted + " ORDER BY tid";
        try (Connection c = dataSource.getConnection()) {
            Long first = firstTid(c, "SELECT tid FROM " + from + where + dialect.firstRowOnly(), buckets,
                    fromMillis, toMillis);
            if (first == null) {
                return Optional.empty();
            }
            Long last = firstTid(c, "SELECT tid FROM " + from + where + " DESC" + dialect.firstRowOnly(), buckets,
                    fromMillis, toMillis);
            return Optional.of(new TidRange(first, Math.max(first, last == null ? first : last) + 1));
        }
    }

    private Long firstTid(Connection c, String sql, BucketRange buckets, long fromMillis, long toMillis)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bindRange(ps, 1, buckets, fromMillis, toMillis);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    private static long low64(BigDecimal sum) {
        return sum == null ? 0 : sum.toBigInteger().longValue();
    }

    private int bindRange(PreparedStatement ps, int i, BucketRange buckets, long fromMillis, long toMillis)
            throws SQLException {
        ps.setInt(i++, buckets.from());
        ps.setInt(i++, buckets.to());
        ps.setObject(i++, Times.toSql(fromMillis));
        ps.setObject(i++, Times.toSql(toMillis));
        return i;
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

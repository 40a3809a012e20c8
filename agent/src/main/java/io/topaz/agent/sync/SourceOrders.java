package io.topaz.agent.sync;

import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The platform's order database ({@code tb_trade}), read by the sync engine. Implementations hold a bounded
 * connection pool; every method runs on the caller's thread (the engine's own executor, never an event loop).
 */
public interface SourceOrders extends AutoCloseable {

    /** The current rows of these orders ({@code WHERE tid IN (…)}, in batches); absent tids are left out. */
    List<OrderRow> read(Collection<Long> tids) throws SQLException;

    /**
     * Keys of the orders of {@code scope} with {@code modified} in {@code [fromMillis, toMillis)}, ordered by tid —
     * an incremental reconciliation cycle compares these with the target's.
     */
    List<OrderKey> keysModified(SellerScope scope, long fromMillis, long toMillis) throws SQLException;

    /**
     * Digests of {@code parts} consecutive tid ranges splitting {@code [tidFrom, tidTo)}, for orders of
     * {@code scope} with {@code modified} in {@code [fromMillis, toMillis)} (full reconciliation).
     */
    List<RangeDigest> digests(SellerScope scope, long fromMillis, long toMillis, long tidFrom, long tidTo, int parts)
            throws SQLException;

    /**
     * The digest of all live orders of {@code scope} with {@code modified} in {@code [fromMillis, toMillis)}, over
     * the tightest tid range holding them ({@code [min tid, max tid + 1)}; {@code [0, 1)} with count 0 when there is
     * none): a full reconciliation starts here, and bisects only when the two sides differ. The default asks
     * {@link #digests} for the whole positive tid range; implementations compute the bounds in the database.
     */
    default RangeDigest digest(SellerScope scope, long fromMillis, long toMillis) throws SQLException {
        return digests(scope, fromMillis, toMillis, 0, Long.MAX_VALUE, 1).get(0);
    }

    /**
     * The tightest tid range holding the live orders of {@code scope} with {@code modified} in
     * {@code [fromMillis, toMillis)}, empty when there is none: two index probes (the smallest and the largest tid),
     * where {@link #digest} reads every row. The default derives it from {@link #digest}.
     */
    default Optional<TidRange> liveTids(SellerScope scope, long fromMillis, long toMillis) throws SQLException {
        RangeDigest d = digest(scope, fromMillis, toMillis);
        return d.count() == 0 ? Optional.empty() : Optional.of(new TidRange(d.tidFrom(), d.tidTo()));
    }

    /** Keys of the orders in one (small) tid range — a leaf of the bisection. */
    List<OrderKey> keys(SellerScope scope, long fromMillis, long toMillis, long tidFrom, long tidTo)
            throws SQLException;

    /**
     * A page of a backfill: rows of {@code scope} ({@link SellerScope#only} for one seller's backfill) modified at or
     * after {@code sinceMillis}, with tid greater than {@code afterTid}, ordered by tid, at most {@code limit}.
     */
    List<OrderRow> page(SellerScope scope, long sinceMillis, long afterTid, int limit) throws SQLException;

    @Override
    void close();
}

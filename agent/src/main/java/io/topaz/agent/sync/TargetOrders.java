package io.topaz.agent.sync;

import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * An app's target database ({@code jdp_tb_trade} in TOP's JDP layout, plus {@code jdp_delete} and
 * {@code jdp_bucket}), written by the sync engine. Implementations hold a bounded pool (the target's connection
 * budget share) and run on the caller's thread.
 */
public interface TargetOrders extends AutoCloseable {

    /** Creates the tables, indexes and the fencing table when missing; refuses a table of the wrong shape. */
    void ensureSchema() throws SQLException;

    /**
     * Writes {@code rows} in one transaction with the fence: each row lands only when its {@code modified} is newer
     * than the target's, or equal with a different hashcode (a conditional write — never select-then-update). A
     * deleted source row sets {@code jdp_delete}.
     */
    WriteResult write(Collection<OrderRow> rows, Fence fence) throws SQLException, FencedException;

    /** How a batch went: rows written, and rows left alone because the target had them (or newer). */
    record WriteResult(int written, int skipped) {
    }

    /** As {@link SourceOrders#keysModified}, over the target's rows. */
    List<OrderKey> keysModified(SellerScope scope, long fromMillis, long toMillis) throws SQLException;

    /** As {@link SourceOrders#digests}, over the target's rows. */
    List<RangeDigest> digests(SellerScope scope, long fromMillis, long toMillis, long tidFrom, long tidTo, int parts)
            throws SQLException;

    /** As {@link SourceOrders#digest}, over the target's rows. */
    default RangeDigest digest(SellerScope scope, long fromMillis, long toMillis) throws SQLException {
        return digests(scope, fromMillis, toMillis, 0, Long.MAX_VALUE, 1).get(0);
    }

    /** As {@link SourceOrders#liveTids}, over the target's rows. */
    default Optional<TidRange> liveTids(SellerScope scope, long fromMillis, long toMillis) throws SQLException {
        RangeDigest d = digest(scope, fromMillis, toMillis);
        return d.count() == 0 ? Optional.empty() : Optional.of(new TidRange(d.tidFrom(), d.tidTo()));
    }

    /** As {@link SourceOrders#keys}, over the target's rows. */
    List<OrderKey> keys(SellerScope scope, long fromMillis, long toMillis, long tidFrom, long tidTo)
            throws SQLException;

    /** Deletes up to {@code limit} rows of {@code scope} marked {@code jdp_delete}; returns how many. */
    int purgeDeleted(SellerScope scope, int limit, Fence fence) throws SQLException, FencedException;

    /** Present tids among these (for tests and the operators' check). */
    List<OrderKey> keysOf(Collection<Long> tids) throws SQLException;

    @Override
    void close();
}

package io.topaz.agent.sync;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The reconciliation cycle of one seller group: compares the keys (tid, modified, jdp_hashcode, deleted) of the
 * orders modified since the last cycle, with an overlap, on both sides, and returns those that differ. A cycle at
 * time {@code now} covers {@code [cursor - overlap, now - settle)} and moves the cursor to {@code now - settle}:
 * {@code settle} leaves the changes the engine is still merging or writing to the next cycle, and {@code overlap}
 * catches rows whose {@code modified} was stamped before a cycle but committed after it.
 */
public final class IncrementalReconciliation {

    private final SourceOrders source;
    private final TargetOrders target;
    private final SellerScope scope;
    private final Clock clock;
    private final long overlapMillis;
    private final long settleMillis;
    private long cursor;

    /** @param startMillis where the first cycle starts (e.g. where backfill or the previous run stopped) */
    public IncrementalReconciliation(SourceOrders source, TargetOrders target, SellerScope scope, Clock clock,
                                     Duration overlap, Duration settle, long startMillis) {
        this.source = source;
        this.target = target;
        this.scope = scope;
        this.clock = clock;
        this.overlapMillis = overlap.toMillis();
        this.settleMillis = settle.toMillis();
        this.cursor = startMillis;
    }

    /** One cycle; the cursor moves only when both sides were read. */
    public synchronized List<Difference> cycle() throws SQLException {
        long to = clock.millis() - settleMillis;
        long from = cursor - overlapMillis;
        if (to <= from) {
            return List.of();
        }
        List<Difference> differences = compare(source, target, scope, from, to);
        cursor = Math.max(cursor, to);
        return differences;
    }

    /** Where the next cycle starts (before the overlap). */
    public synchronized long cursor() {
        return cursor;
    }

    /** The differences among the orders modified in {@code [fromMillis, toMillis)} on either side. */
    public static List<Difference> compare(SourceOrders source, TargetOrders target, SellerScope scope,
                                           long fromMillis, long toMillis) throws SQLException {
        return compareCounting(source, target, scope, fromMillis, toMillis).differences();
    }

    /** What a comparison found, and the most keys either side returned (the work it took). */
    public record Comparison(List<Difference> differences, int keys) {
    }

    /** As {@link #compare}, also counting the keys read. */
    public static Comparison compareCounting(SourceOrders source, TargetOrders target, SellerScope scope,
                                             long fromMillis, long toMillis) throws SQLException {
        List<OrderKey> sourceKeys = source.keysModified(scope, fromMillis, toMillis);
        List<OrderKey> targetKeys = target.keysModified(scope, fromMillis, toMillis);
        return new Comparison(KeyDiff.diff(sourceKeys, targetKeys, source, target),
                Math.max(sourceKeys.size(), targetKeys.size()));
    }
}

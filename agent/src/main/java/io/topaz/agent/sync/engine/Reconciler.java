package io.topaz.agent.sync.engine;

import io.topaz.agent.sync.Difference;
import io.topaz.agent.sync.FencedException;
import io.topaz.agent.sync.FullReconciliation;
import io.topaz.agent.sync.IncrementalReconciliation;
import io.topaz.agent.sync.OrderKey;
import io.topaz.agent.sync.OrderRow;
import io.topaz.agent.sync.SellerScope;
import io.topaz.agent.sync.SourceOrders;
import io.topaz.agent.sync.TargetOrders;
import io.topaz.agent.sync.engine.GroupMetrics.Reason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reconciliation of one seller group: finds the orders that differ — incrementally over the keys modified in
 * {@code [from, to)} on both sides ({@link IncrementalReconciliation}), or fully by digests of key ranges
 * ({@link FullReconciliation}) — reads only those from the source and repairs them through the same conditional
 * write as the live stream (a newer or extra target row is reported, never overwritten). Each repair is counted and
 * logged with its reason:
 *
 * <ul>
 *   <li>{@code late_message} — a message for the order is still waiting in this agent (it arrived after the cycle's
 *       settle time, e.g. a redelivery);</li>
 *   <li>{@code lost_write} — this agent wrote that version (or a newer one) from a message, yet the target lacks it;</li>
 *   <li>{@code missed_message} — no message for that version reached the sync.</li>
 * </ul>
 *
 * An order deleted at the source and absent from the target was purged: nothing to repair.
 */
final class Reconciler {

    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
    private static final int BATCH = 500;
    private static final int LOGGED_PER_CYCLE = 20;

    /** What the live stream knows of an order, to tell why it needed a repair. */
    interface Knowledge {
        /** The newest modified a message waiting for {@code tid} names, or -1 when none waits. */
        long waiting(long tid);

        /** The newest modified this agent wrote for {@code tid} from a message, or -1. */
        long written(long tid);
    }

    /** The conditional, fenced write shared with the live stream. */
    interface Writer {
        TargetOrders.WriteResult write(List<OrderRow> rows) throws SQLException, FencedException;
    }

    /** What one comparison found and did: the differences, the orders repaired by reason, and how it searched. */
    /** @param keys the most keys one side returned (0 for a full reconciliation, which counts in {@code search}) */
    record Result(int differences, int repaired, Map<Reason, Integer> repairs, String search, int keys) {
    }

    private final String name;
    private final SourceOrders source;
    private final TargetOrders target;
    private final java.util.function.Supplier<SellerScope> scope;
    private final Knowledge knowledge;
    private final Writer writer;
    private final GroupMetrics metrics;

    /**
     * Runs a full reconciliation's source-side queries while the calling thread runs the target's, so each level of
     * the bisection costs the slower side, not the sum (threads made on demand, idle ones let go after a minute).
     */
    private static final java.util.concurrent.Executor SOURCE_SIDE = java.util.concurrent.Executors.newCachedThreadPool(
            r -> {
                Thread t = new Thread(r, "topaz-sync-reconcile-source");
                t.setDaemon(true);
                return t;
            });

    /** @param scope the group's sellers now (those who permitted the target's app; they change at run time) */
    Reconciler(String name, SourceOrders source, TargetOrders target, java.util.function.Supplier<SellerScope> scope,
               Knowledge knowledge, Writer writer, GroupMetrics metrics) {
        this.name = name;
        this.source = source;
        this.target = target;
        this.scope = scope;
        this.knowledge = knowledge;
        this.writer = writer;
        this.metrics = metrics;
    }

    /** The incremental cycle over the group's orders modified in {@code [from, to)}. */
    Result cycle(long fromMillis, long toMillis) throws SQLException, FencedException {
        SellerScope now = scope.get();
        IncrementalReconciliation.Comparison c = IncrementalReconciliation.compareCounting(source, target, now,
                fromMillis, toMillis);
        return repair(now, c.differences(), "keys", c.keys());
    }

    /**
     * A full reconciliation of {@code range} (the group's scope or a part of it, e.g. one seller) over
     * {@code [from, to)}: digests of key ranges computed in each database, bisected where they differ
     * ({@link FullReconciliation}), then the same repairs.
     */
    Result full(SellerScope range, long fromMillis, long toMillis) throws SQLException, FencedException {
        FullReconciliation.Result r = new FullReconciliation(source, target, 16, 1_000, SOURCE_SIDE)
                .run(range, fromMillis, toMillis);
        return repair(range, r.differences(), r.digestQueries() + " digest queries, " + r.leaves() + " leaves, "
                + r.keysRead() + " keys read", 0);
    }

    /** Differences the conditional write can repair (never a newer target row, never an extra one). */
    static boolean repairable(Difference d) {
        return d.reason() != Difference.Reason.NEWER_ON_TARGET && d.reason() != Difference.Reason.EXTRA_ON_TARGET;
    }

    private Reason reason(OrderKey s) {
        long waiting = knowledge.waiting(s.tid());
        if (waiting >= 0) {
            return Reason.LATE_MESSAGE;
        }
        return knowledge.written(s.tid()) >= s.modifiedMillis() ? Reason.LOST_WRITE : Reason.MISSED_MESSAGE;
    }

    private Result repair(SellerScope within, List<Difference> differences, String search, int keys)
            throws SQLException, FencedException {
        Map<Long, Reason> repair = new HashMap<>();
        for (Difference d : differences) {
            if (repairable(d)) {
                repair.put(d.tid(), reason(d.source()));
            } else {
                log.warn("sync {}: order {} differs ({}) and is left alone: source {}, target {}", name, d.tid(),
                        d.reason(), d.source(), d.target());
            }
        }
        Map<Reason, Integer> counts = new EnumMap<>(Reason.class);
        List<Long> tids = new ArrayList<>(repair.keySet());
        int logged = 0;
        for (int i = 0; i < tids.size(); i += BATCH) {
            List<OrderRow> rows = new ArrayList<>(source.read(tids.subList(i, Math.min(tids.size(), i + BATCH))));
            metrics.sourceRows(rows.size());
            rows.removeIf(row -> !within.covers(row)); // e.g. the seller's permit was cancelled meanwhile
            if (rows.isEmpty()) {
                continue;
            }
            TargetOrders.WriteResult r = writer.write(rows);
            metrics.written(r.written(), r.skipped());
            for (OrderRow row : rows) {
                Reason reason = repair.get(row.tid());
                metrics.repaired(reason);
                counts.merge(reason, 1, Integer::sum);
                if (logged++ < LOGGED_PER_CYCLE) {
                    log.info("sync {}: repaired order {} (modified {}): {}", name, row.tid(), row.modified(),
                            reason.tag);
                }
            }
        }
        if (logged > LOGGED_PER_CYCLE) {
            log.info("sync {}: {} repairs ({}), the first {} logged", name, logged, counts, LOGGED_PER_CYCLE);
        }
        return new Result(differences.size(), logged, counts, search, keys);
    }
}

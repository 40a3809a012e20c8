package io.topaz.agent.sync.engine;

import io.topaz.agent.sync.BucketRange;
import io.topaz.agent.sync.FencedException;
import io.topaz.agent.sync.OrderKey;
import io.topaz.agent.sync.OrderRow;
import io.topaz.agent.sync.SourceOrders;
import io.topaz.agent.sync.TargetOrders;
import io.topaz.agent.sync.engine.GroupMetrics.Reason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Incremental reconciliation of one seller group: compares (tid, modified, jdp_hashcode, deleted) of the orders
 * modified in {@code [from, to)} on both sides, reads from the source only the orders whose target row is missing or
 * older (or equally old with another hashcode), and repairs them through the same conditional write as the live
 * stream. Each repair is counted and logged with its reason:
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

    /** What one cycle found and did. */
    record Result(int compared, int differing, Map<Reason, Integer> repairs) {
    }

    private final String name;
    private final SourceOrders source;
    private final TargetOrders target;
    private final BucketRange buckets;
    private final Knowledge knowledge;
    private final Writer writer;
    private final GroupMetrics metrics;

    Reconciler(String name, SourceOrders source, TargetOrders target, BucketRange buckets, Knowledge knowledge,
               Writer writer, GroupMetrics metrics) {
        this.name = name;
        this.source = source;
        this.target = target;
        this.buckets = buckets;
        this.knowledge = knowledge;
        this.writer = writer;
        this.metrics = metrics;
    }

    Result cycle(long fromMillis, long toMillis) throws SQLException, FencedException {
        return cycle(buckets, fromMillis, toMillis);
    }

    /** One comparison of {@code range} (within the group) over {@code [from, to)}, repairing what differs. */
    Result cycle(BucketRange range, long fromMillis, long toMillis) throws SQLException, FencedException {
        List<OrderKey> src = source.keysModified(range, fromMillis, toMillis);
        Map<Long, OrderKey> tgt = new HashMap<>();
        for (OrderKey k : target.keysModified(range, fromMillis, toMillis)) {
            tgt.put(k.tid(), k);
        }
        List<OrderKey> candidates = new ArrayList<>();
        List<Long> unseen = new ArrayList<>();
        for (OrderKey s : src) {
            OrderKey t = tgt.get(s.tid());
            if (t == null) {
                unseen.add(s.tid()); // the target's row, if any, is outside the range: look it up
                candidates.add(s);
            } else if (behind(t, s)) {
                candidates.add(s);
            }
        }
        for (int i = 0; i < unseen.size(); i += BATCH) {
            for (OrderKey t : target.keysOf(unseen.subList(i, Math.min(unseen.size(), i + BATCH)))) {
                tgt.put(t.tid(), t);
            }
        }
        Map<Long, Reason> repair = new HashMap<>();
        for (OrderKey s : candidates) {
            OrderKey t = tgt.get(s.tid());
            if (t == null ? !s.deleted() : behind(t, s)) {
                repair.put(s.tid(), reason(s));
            }
        }
        Map<Reason, Integer> counts = repair(repair);
        return new Result(src.size(), repair.size(), counts);
    }

    /** True when the target's row must be replaced by the source's. */
    static boolean behind(OrderKey target, OrderKey source) {
        return target.modifiedMillis() < source.modifiedMillis()
                || target.modifiedMillis() == source.modifiedMillis()
                && (!target.hashcode().equals(source.hashcode()) || target.deleted() != source.deleted());
    }

    private Reason reason(OrderKey s) {
        long waiting = knowledge.waiting(s.tid());
        if (waiting >= 0) {
            return Reason.LATE_MESSAGE;
        }
        return knowledge.written(s.tid()) >= s.modifiedMillis() ? Reason.LOST_WRITE : Reason.MISSED_MESSAGE;
    }

    private Map<Reason, Integer> repair(Map<Long, Reason> repair) throws SQLException, FencedException {
        Map<Reason, Integer> counts = new HashMap<>();
        List<Long> tids = new ArrayList<>(repair.keySet());
        int logged = 0;
        for (int i = 0; i < tids.size(); i += BATCH) {
            List<OrderRow> rows = source.read(tids.subList(i, Math.min(tids.size(), i + BATCH)));
            metrics.sourceRows(rows.size());
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
            log.info("sync {}: {} repairs this cycle ({}), the first {} logged", name, logged, counts,
                    LOGGED_PER_CYCLE);
        }
        return counts;
    }
}

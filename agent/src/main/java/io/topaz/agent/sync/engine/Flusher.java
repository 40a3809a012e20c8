package io.topaz.agent.sync.engine;

import io.topaz.agent.broker.Broker;
import io.topaz.agent.broker.Delivery;
import io.topaz.agent.broker.QueueName;
import io.topaz.agent.sync.FencedException;
import io.topaz.agent.sync.OrderRow;
import io.topaz.agent.sync.SourceOrders;
import io.topaz.agent.sync.TargetOrders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The live stream of one group: consume → merge → flush (one {@code SourceOrders.read} and one conditional
 * {@code TargetOrders.write} per batch of orders whose window closed) → confirm, only after the write committed. An
 * order whose messages announce nothing newer than what this stream already wrote ({@link WrittenOrders}) is
 * confirmed without a read.
 *
 * <ul>
 *   <li>an order of a seller outside the group's scope (the permit was cancelled after the message was routed, or
 *       the seller moved to a pin group): read, not written, confirmed;</li>
 *   <li>malformed content (no tid): nothing to sync — counted, logged, confirmed (reconciliation covers the order);</li>
 *   <li>an order the source does not have: proven harmless by the read — counted, confirmed;</li>
 *   <li>a read or write that fails: the batch's messages are failed back to the broker (delivered again after its
 *       backoff) and the failure is thrown (the group pauses); a batch the target refuses (not a lost connection) is
 *       retried order by order, so one poison order fails alone and is dead-lettered after the broker's attempts.</li>
 * </ul>
 */
final class Flusher {

    private static final Logger log = LoggerFactory.getLogger(Flusher.class);

    private final String name;
    private final Broker broker;
    private final QueueName queue;
    private final SourceOrders source;
    private final Reconciler.Writer writer;
    private final GroupMetrics metrics;
    private final Clock clock;
    private final long timeoutMillis;
    private final WrittenOrders written;
    private final java.util.function.Predicate<OrderRow> inScope;
    private Merger merger;
    private long caughtUpMillis;

    Flusher(String name, Broker broker, QueueName queue, SourceOrders source, Reconciler.Writer writer,
            GroupMetrics metrics, Clock clock, Duration brokerTimeout, WrittenOrders written,
            java.util.function.Predicate<OrderRow> inScope) {
        this.inScope = inScope;
        this.name = name;
        this.broker = broker;
        this.queue = queue;
        this.source = source;
        this.writer = writer;
        this.metrics = metrics;
        this.clock = clock;
        this.timeoutMillis = brokerTimeout.toMillis();
        this.written = written;
    }

    void attach(Merger m) {
        this.merger = m;
    }

    /**
     * The most one consume asks for: the broker port's bound on a consume forwarded to the agent that owns the queue
     * (TOP's largest {@code quantity}); a group's queue is often owned by another agent than its holder.
     */
    static final int CONSUME_PER_CALL = 200;

    /** Takes up to {@code max} messages into the merger, unless it is full; returns how many came. */
    int consume(int max, ZoneId platformZone) throws SyncFailure {
        int taken = 0;
        while (taken < max && !merger.full()) {
            int ask = Math.min(CONSUME_PER_CALL, max - taken);
            int got = consumeOnce(ask, platformZone);
            taken += got;
            if (got < ask) {
                break; // drained
            }
        }
        return taken;
    }

    private int consumeOnce(int max, ZoneId platformZone) throws SyncFailure {
        List<Delivery> ds;
        try {
            ds = broker.consume(queue, max).get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SyncFailure("consuming " + queue, e);
        } catch (Exception e) {
            throw new SyncFailure("consuming " + queue, e);
        }
        metrics.consumed(ds);
        if (ds.size() < max) {
            caughtUpMillis = clock.millis(); // the queue is drained: every message published before now was seen
        } else {
            for (Delivery d : ds) {
                caughtUpMillis = Math.max(caughtUpMillis, d.message().pubTimeMillis());
            }
        }
        List<Long> harmless = new ArrayList<>();
        for (Delivery d : ds) {
            try {
                TradeChange c = TradeChange.of(d.message(), platformZone);
                merger.add(c.tid(), d.message().id(), c.modifiedMillis());
            } catch (TradeChange.Malformed e) {
                metrics.error("malformed message: " + e.getMessage() + " (confirmed: nothing to sync)");
                log.warn("sync {}: {} — confirmed, nothing to sync", name, e.getMessage());
                harmless.add(d.message().id());
            }
        }
        confirm(ids(harmless), new long[0]);
        return ds.size();
    }

    /**
     * How far the live stream has read: the queue was drained at this time, or (while it has a backlog) the newest
     * publish time consumed. Reconciliation compares nothing newer, so a change whose message is merely still queued
     * is not mistaken for a missed message.
     */
    long caughtUpMillis() {
        return caughtUpMillis;
    }

    /** Flushes every order whose window has closed, {@code batch} at a time. */
    void flushDue(int batch) throws SyncFailure, FencedException {
        while (true) {
            List<Merger.Pending> due = merger.takeDue(batch);
            if (due.isEmpty()) {
                return;
            }
            flush(due);
        }
    }

    /** Flushes every merged order now, windows open or not (a handover), {@code batch} at a time. */
    void flushAll(int batch) throws SyncFailure, FencedException {
        List<Merger.Pending> all = merger.takeAll();
        for (int i = 0; i < all.size(); i += batch) {
            List<Merger.Pending> part = all.subList(i, Math.min(all.size(), i + batch));
            try {
                flush(new ArrayList<>(part));
            } catch (SyncFailure | FencedException | RuntimeException e) {
                fail(all.subList(Math.min(all.size(), i + batch), all.size()));
                throw e;
            }
        }
    }

    private void flush(List<Merger.Pending> closed) throws SyncFailure, FencedException {
        List<Merger.Pending> due = new ArrayList<>(closed.size());
        List<Merger.Pending> covered = new ArrayList<>();
        for (Merger.Pending p : closed) {
            (!p.unknownModified && written.covers(p.tid, p.maxModifiedMillis) ? covered : due).add(p);
        }
        if (!covered.isEmpty()) { // what they announce (or newer) is on the target: no read, no write
            metrics.readsSaved(covered.size());
            confirmOrders(covered);
        }
        if (due.isEmpty()) {
            return;
        }
        Map<Long, Merger.Pending> byTid = new HashMap<>();
        for (Merger.Pending p : due) {
            byTid.put(p.tid, p);
        }
        List<OrderRow> rows;
        try {
            rows = source.read(byTid.keySet());
        } catch (SQLException e) {
            fail(due);
            throw new SyncFailure("reading " + due.size() + " orders from the source", e);
        }
        metrics.flushed(due.size(), rows.size());
        List<Merger.Pending> unknown = new ArrayList<>(due);
        for (OrderRow r : rows) {
            unknown.remove(byTid.get(r.tid()));
        }
        for (Merger.Pending p : unknown) {
            metrics.error("order " + p.tid + " is not in the source (" + p.messages + " message(s) confirmed)");
        }
        if (!unknown.isEmpty()) {
            log.warn("sync {}: {} message(s) named orders the source does not have, e.g. {}; confirmed", name,
                    unknown.size(), unknown.get(0).tid);
            confirmOrders(unknown);
        }
        List<Merger.Pending> outside = new ArrayList<>();
        List<OrderRow> inside = new ArrayList<>(rows.size());
        for (OrderRow r : rows) {
            if (inScope.test(r)) {
                inside.add(r);
            } else {
                outside.add(byTid.get(r.tid()));
            }
        }
        if (!outside.isEmpty()) { // routed before the seller's permit was cancelled (or by a stale permit): not copied
            log.debug("sync {}: {} order(s) of sellers outside the group's scope confirmed unwritten, e.g. {}", name,
                    outside.size(), outside.get(0).tid);
            confirmOrders(outside);
            rows = inside;
        }
        if (rows.isEmpty()) {
            return;
        }
        try {
            written(rows, byTid, writer.write(rows));
        } catch (SQLException e) {
            if (SyncFailure.connectionLost(e)) {
                fail(due);
                throw new SyncFailure("writing " + rows.size() + " orders to the target", e);
            }
            if (rows.size() == 1) {
                refused(rows.get(0), byTid, e);
            } else {
                oneByOne(rows, byTid, e);
            }
        } catch (FencedException e) {
            fail(due);
            throw e;
        }
    }

    /** The target refused a batch: write each order alone, so only the poison ones fail. */
    private void oneByOne(List<OrderRow> rows, Map<Long, Merger.Pending> byTid, SQLException batchError)
            throws SyncFailure, FencedException {
        log.warn("sync {}: the target refused a batch of {} ({}); writing them one by one", name, rows.size(),
                SyncFailure.why(batchError));
        for (int i = 0; i < rows.size(); i++) {
            OrderRow row = rows.get(i);
            try {
                written(List.of(row), byTid, writer.write(List.of(row)));
            } catch (SQLException e) {
                if (SyncFailure.connectionLost(e)) {
                    List<Merger.Pending> rest = new ArrayList<>();
                    rows.subList(i, rows.size()).forEach(r -> rest.add(byTid.get(r.tid())));
                    fail(rest);
                    throw new SyncFailure("writing order " + row.tid() + " to the target", e);
                }
                refused(row, byTid, e);
            } catch (FencedException e) {
                List<Merger.Pending> rest = new ArrayList<>();
                rows.subList(i, rows.size()).forEach(r -> rest.add(byTid.get(r.tid())));
                fail(rest);
                throw e;
            }
        }
    }

    /** The target refused this order alone: its messages go back to the broker (dead-lettered after its attempts). */
    private void refused(OrderRow row, Map<Long, Merger.Pending> byTid, SQLException e) {
        String why = "the target refused order " + row.tid() + ": " + SyncFailure.why(e)
                + " (its messages are retried by the broker, then dead-lettered)";
        metrics.error(why);
        log.warn("sync {}: {}", name, why);
        fail(List.of(byTid.get(row.tid())));
    }

    private void written(List<OrderRow> rows, Map<Long, Merger.Pending> byTid, TargetOrders.WriteResult r)
            throws SyncFailure {
        metrics.written(r.written(), r.skipped());
        long now = clock.millis();
        List<Merger.Pending> done = new ArrayList<>(rows.size());
        for (OrderRow row : rows) {
            metrics.lag(now - row.modified().toEpochMilli());
            this.written.written(row.tid(), row.modified().toEpochMilli());
            done.add(byTid.get(row.tid()));
        }
        confirmOrders(done);
    }

    private void confirmOrders(List<Merger.Pending> orders) throws SyncFailure {
        List<Long> ids = new ArrayList<>();
        for (Merger.Pending p : orders) {
            for (long id : p.ids()) {
                ids.add(id);
            }
        }
        confirm(ids(ids), new long[0]);
    }

    /** Hands every waiting message back to the broker (the group is stopping). Best effort. */
    void failAll() {
        if (merger == null) {
            return;
        }
        try {
            fail(merger.takeAll());
        } catch (RuntimeException e) {
            log.debug("sync {}: failing the waiting messages back failed (redelivered after the timeout)", name, e);
        }
    }

    private void fail(List<Merger.Pending> orders) {
        List<Long> ids = new ArrayList<>();
        for (Merger.Pending p : orders) {
            for (long id : p.ids()) {
                ids.add(id);
            }
        }
        if (ids.isEmpty()) {
            return;
        }
        try {
            confirm(new long[0], ids(ids));
        } catch (SyncFailure e) {
            log.debug("sync {}: failing {} messages back: {} (they return after the redelivery timeout)", name,
                    ids.size(), e.getMessage());
        }
    }

    private void confirm(long[] confirmed, long[] failed) throws SyncFailure {
        if (confirmed.length == 0 && failed.length == 0) {
            return;
        }
        try {
            broker.confirm(queue, confirmed, failed).get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SyncFailure("confirming on " + queue, e);
        } catch (Exception e) {
            throw new SyncFailure("confirming on " + queue, e);
        }
    }

    private static long[] ids(List<Long> ids) {
        return ids.stream().mapToLong(Long::longValue).toArray();
    }
}

package io.topaz.agent.broker.queue;

import io.topaz.agent.broker.BrokerMessage;
import io.topaz.agent.broker.store.ConsumeQueue;
import io.topaz.agent.broker.store.MessageLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@link QueueEngine}'s reclamation: dead-letters expired messages, <em>carries forward</em> long-held in-flight
 * references and those whose log records lie in sealed segments (the message appended anew to the log, a reference
 * at the queue's tail, the old entry marked done), purges old dead letters, then, once the copies are durable,
 * deletes the log segments that no queue still needs and the queue chunks below their confirm positions. Takes the
 * engine's lock, except while it waits for the copies to be durable.
 */
final class Reclaimer {

    /** The engine's logger: messages keep the category they had before this class was split out of it. */
    private static final Logger log = LoggerFactory.getLogger(QueueEngine.class);

    private final EngineContext ctx;
    private final Path dir;
    private final QueueEngine.Options options;
    private final MessageLog messages;
    private final QueueTable queues;
    private final RecordReader reader;
    private final QueueCommitter committer;
    private final StateWriter writer;
    private final Dispatcher dispatcher;
    private final DeadLettering deadLetters;

    Reclaimer(EngineContext ctx, QueueTable queues, RecordReader reader, QueueCommitter committer, StateWriter writer,
              Dispatcher dispatcher, DeadLettering deadLetters) {
        this.ctx = ctx;
        this.dir = ctx.dir;
        this.options = ctx.options;
        this.messages = ctx.messages;
        this.queues = queues;
        this.reader = reader;
        this.committer = committer;
        this.writer = writer;
        this.dispatcher = dispatcher;
        this.deadLetters = deadLetters;
    }

    /**
     * One reclamation: dead-letters expired messages, carries long-held in-flight references forward, purges old
     * dead letters, then (once the copies are durable) deletes the log segments nothing refers into and the queue
     * chunks below their confirm positions.
     */
    QueueEngine.ReclaimReport reclaim() {
        List<CompletableFuture<?>> waits = new ArrayList<>();
        int carried = 0;
        int dead = 0;
        int purged = 0;
        synchronized (ctx.mutex) {
            if (ctx.closed) {
                return new QueueEngine.ReclaimReport(0, 0, 0, 0, 0);
            }
            long now = ctx.clock.millis();
            List<Long> segs = messages.segmentIds();
            long newestSealed = segs.size() < 2 ? -1 : segs.get(segs.size() - 2);
            for (QueueState q : List.copyOf(queues.all())) {
                long before = q.deadLettered;
                dispatcher.deliverNew(q, now, Integer.MAX_VALUE, new ArrayList<>(), true);
                for (InFlight f : List.copyOf(q.inFlight.values())) {
                    if (now - f.pubTime > options.retention().toMillis()) {
                        BrokerMessage m = reader.readMessage(f.position, f.id);
                        if (m == null) {
                            q.removeInFlight(f.id);
                            q.markDone(f.index);
                        } else {
                            deadLetters.deadLetter(q, m, f.attempts, QueueEngine.RETENTION, f.index, f.position, now);
                        }
                    }
                }
                dead += (int) (q.deadLettered - before);
                if (q.window() > options.maxWindow() / 2) {
                    long mid = q.window.confirmPos() + (q.consumePos - q.window.confirmPos()) / 2;
                    for (InFlight f : q.inFlight.values().stream().filter(f -> f.index < mid)
                            .sorted(Comparator.comparingLong(f -> f.index)).toList()) {
                        carried += carry(q, f, waits) ? 1 : 0;
                    }
                }
                if (newestSealed >= 0) {
                    carried += carrySealed(q, newestSealed, waits);
                }
            }
            purged += deadLetters.purgeOlderThan(now - options.deadLetterRetention().toMillis());
            waits.addAll(writer.tracked());
        }
        committer.commitQueues();
        boolean durable = true;
        try {
            CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            durable = false;
            log.warn("message store {}: copies made by reclamation are not durable yet ({}); no segment is deleted "
                    + "this time", dir, e.toString());
        }
        int deleted = 0;
        int chunks = 0;
        synchronized (ctx.mutex) {
            if (ctx.closed) {
                return new QueueEngine.ReclaimReport(0, carried, dead, 0, purged);
            }
            if (durable) {
                long pin = Long.MAX_VALUE;
                for (QueueState q : queues.all()) {
                    pin = Math.min(pin, pinnedSegment(q));
                }
                deleted = messages.deleteSegmentsBelow(pin);
            }
            for (QueueState q : queues.all()) {
                chunks += q.file.deleteChunksBelow(q.window.confirmPos());
                if (q.stateDirty || q.persistWanted) {
                    writer.persist(q);
                }
            }
        }
        if (deleted + carried + dead + purged > 0) {
            log.info("message store {}: reclaimed {} log segments and {} queue chunks; carried {} messages forward, "
                    + "dead-lettered {}, purged {} old dead letters", dir, deleted, chunks, carried, dead, purged);
        }
        return new QueueEngine.ReclaimReport(deleted, carried, dead, chunks, purged);
    }

    /** The oldest log segment the queue still needs: its head entry's, or a pending copy's. */
    private long pinnedSegment(QueueState q) {
        long pin = q.pendingSegments.isEmpty() ? Long.MAX_VALUE : q.pendingSegments.firstKey();
        ConsumeQueue.Entry head = RecordReader.headEntry(q, q.file.writeIndex());
        if (head != null) {
            pin = Math.min(pin, MessageLog.segmentOf(head.position()));
        }
        for (InFlight f : q.inFlight.values()) {
            pin = Math.min(pin, MessageLog.segmentOf(f.position));
        }
        return pin;
    }

    /**
     * Carries forward the delivered, unconfirmed messages of the queue whose log records lie in sealed segments up
     * to {@code newestSealed}. Stops at the first entry not yet delivered: undelivered backlog keeps its order.
     */
    private int carrySealed(QueueState q, long newestSealed, List<CompletableFuture<?>> waits) {
        int carried = 0;
        long from = q.window.confirmPos();
        while (from < q.consumePos) {
            List<ConsumeQueue.Entry> es = q.file.read(from, Dispatcher.BATCH, q.consumePos);
            if (es.isEmpty()) {
                break;
            }
            for (ConsumeQueue.Entry e : es) {
                if (e.valid() && MessageLog.segmentOf(e.position()) > newestSealed) {
                    return carried;
                }
                if (q.isDone(e.index())) {
                    continue;
                }
                InFlight f = q.inFlight.get(e.id());
                if (!e.valid()) {
                    q.markDone(e.index());
                } else if (f != null && f.index == e.index()) {
                    carried += carry(q, f, waits) ? 1 : 0;
                } else {
                    carried += carryEntry(q, e, waits) ? 1 : 0;
                }
            }
            from = es.get(es.size() - 1).index() + 1;
        }
        return carried;
    }

    /** Re-appends an in-flight message to the log and its reference to the tail; it stays in flight. */
    private boolean carry(QueueState q, InFlight f, List<CompletableFuture<?>> waits) {
        MessageLog.Read r = reader.readRecord(f.position, f.id);
        if (r == null) {
            q.removeInFlight(f.id);
            q.markDone(f.index);
            return false;
        }
        MessageLog.Appended a = messages.append(f.id, r.timestamp(), r.value());
        if (a.position() < 0) {
            return false;
        }
        long oldIndex = f.index;
        long oldPosition = f.position;
        long index = committer.appendRef(q, a.position(), a.size(), f.attempts, f.id);
        q.due.remove(f);
        f.index = index;
        f.position = a.position();
        f.size = a.size();
        q.due.add(f);
        q.markDone(oldIndex);
        waits.add(writer.track(q, MessageLog.segmentOf(oldPosition),
                committer.await(a.durable(), List.of(q), new long[]{index})));
        return true;
    }

    /** Re-appends an entry below the consume position that is neither done nor in flight (none normally). */
    private boolean carryEntry(QueueState q, ConsumeQueue.Entry e, List<CompletableFuture<?>> waits) {
        MessageLog.Read r = reader.readRecord(e.position(), e.id());
        if (r == null) {
            q.markDone(e.index());
            return false;
        }
        MessageLog.Appended a = messages.append(e.id(), r.timestamp(), r.value());
        if (a.position() < 0) {
            return false;
        }
        long index = committer.appendRef(q, a.position(), a.size(), e.attempts(), e.id());
        q.markDone(e.index());
        waits.add(writer.track(q, MessageLog.segmentOf(e.position()),
                committer.await(a.durable(), List.of(q), new long[]{index})));
        return true;
    }
}

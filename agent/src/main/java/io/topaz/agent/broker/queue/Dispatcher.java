package io.topaz.agent.broker.queue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.topaz.agent.broker.BrokerMessage;
import io.topaz.agent.broker.ConfirmOutcome;
import io.topaz.agent.broker.Delivery;
import io.topaz.agent.broker.QueueName;
import io.topaz.agent.broker.store.ConsumeQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The consumers' side of {@link QueueEngine}: {@link #consume} hands out due redeliveries first, then new messages
 * in queue order up to the in-flight cap and the confirmation window (messages past their attempts or the retention
 * go to the dead letters instead); {@link #confirm} takes confirmations and failures back. Reclamation uses
 * {@link #deliverNew} to dead-letter the expired head of a queue's backlog.
 */
final class Dispatcher {

    /** The engine's logger: messages keep the category they had before this class was split out of it. */
    private static final Logger log = LoggerFactory.getLogger(QueueEngine.class);

    /** Queue entries read at a time. */
    static final int BATCH = 256;

    private final EngineContext ctx;
    private final Path dir;
    private final QueueEngine.Options options;
    private final QueueTable queues;
    private final RecordReader reader;
    private final DeadLettering deadLetters;
    private final StateWriter writer;
    private final Timer latency;

    Dispatcher(EngineContext ctx, QueueTable queues, RecordReader reader, DeadLettering deadLetters,
               StateWriter writer, Timer latency) {
        this.ctx = ctx;
        this.dir = ctx.dir;
        this.options = ctx.options;
        this.queues = queues;
        this.reader = reader;
        this.deadLetters = deadLetters;
        this.writer = writer;
        this.latency = latency;
    }

    List<Delivery> consume(QueueName queue, int max) {
        if (max <= 0) {
            return List.of();
        }
        synchronized (ctx.mutex) {
            QueueState q = queues.get(queue);
            if (q == null || ctx.closed) {
                return List.of();
            }
            long now = ctx.clock.millis();
            List<Delivery> out = new ArrayList<>(Math.min(max, 64));
            redeliverDue(q, now, max, out);
            deliverNew(q, now, max, out, false);
            return out;
        }
    }

    /** Due in-flight messages first: delivered again, or dead-lettered past the attempts or the retention. */
    private void redeliverDue(QueueState q, long now, int max, List<Delivery> out) {
        while (out.size() < max && !q.due.isEmpty() && q.due.first().dueAt <= now) {
            InFlight f = q.due.first();
            BrokerMessage m = reader.readMessage(f.position, f.id);
            if (m == null) {
                q.removeInFlight(f.id);
                q.markDone(f.index);
                continue;
            }
            if (f.attempts >= options.maxAttempts()) {
                if (!deadLetters.deadLetter(q, m, f.attempts, QueueEngine.MAX_ATTEMPTS, f.index, f.position, now)) {
                    q.reschedule(f, now + options.backoff(f.attempts).toMillis());
                }
                continue;
            }
            if (expired(m, now)) {
                if (!deadLetters.deadLetter(q, m, f.attempts, QueueEngine.RETENTION, f.index, f.position, now)) {
                    q.reschedule(f, now + options.backoff(f.attempts).toMillis());
                }
                continue;
            }
            f.attempts++;
            q.reschedule(f, now + hiddenFor(f.attempts));
            q.redelivered++;
            q.redeliveredCounter.increment();
            out.add(new Delivery(m, f.attempts, reader.contentFile(f.position, m)));
        }
    }

    /**
     * New messages from the consume position, in queue order, up to {@code max}, the in-flight cap and the window;
     * with {@code expireOnly}, only dead-letters the expired ones at the head. Under the lock.
     */
    void deliverNew(QueueState q, long now, int max, List<Delivery> out, boolean expireOnly) {
        while (out.size() < max && q.consumePos < q.durableIndex) {
            if (!expireOnly && (q.inFlight.size() >= options.inFlightCap() || q.window() >= options.maxWindow())) {
                return;
            }
            List<ConsumeQueue.Entry> entries = q.file.read(q.consumePos, batch(max, out.size()), q.durableIndex);
            if (entries.isEmpty()) {
                return;
            }
            for (ConsumeQueue.Entry e : entries) {
                if (out.size() >= max || (!expireOnly && (q.inFlight.size() >= options.inFlightCap()
                        || q.window() >= options.maxWindow()))) {
                    return;
                }
                if (q.isDone(e.index())) {
                    q.consumedTo(e.index() + 1);
                    continue;
                }
                if (!e.valid()) {
                    reader.countCorrupt();
                    log.warn("message store {}: queue {} entry {} is not valid (a torn write); skipped", dir, q.name,
                            e.index());
                    q.markDone(e.index());
                    q.consumedTo(e.index() + 1);
                    continue;
                }
                InFlight out0 = q.inFlight.get(e.id());
                if (out0 != null) {
                    if (out0.index != e.index()) {
                        q.markDone(e.index()); // the same message twice in the queue: delivered once
                    }
                    q.consumedTo(e.index() + 1); // else: carried forward while in flight, already out
                    continue;
                }
                BrokerMessage m = reader.readMessage(e.position(), e.id());
                if (m == null) {
                    q.markDone(e.index());
                    q.consumedTo(e.index() + 1);
                    continue;
                }
                if (expired(m, now)) {
                    if (!deadLetters.deadLetter(q, m, e.attempts(), QueueEngine.RETENTION, e.index(), e.position(),
                            now)) {
                        return; // the state store refused: try again later
                    }
                    q.consumedTo(e.index() + 1);
                    continue;
                }
                if (expireOnly) {
                    return;
                }
                int attempt = e.attempts() + 1;
                InFlight f = new InFlight(e.id(), m.pubTimeMillis(), e.index(), e.position(), e.size(), attempt,
                        now + hiddenFor(attempt));
                if (attempt > options.maxAttempts()) {
                    if (!deadLetters.deadLetter(q, m, e.attempts(), QueueEngine.MAX_ATTEMPTS, e.index(),
                            e.position(), now)) {
                        return;
                    }
                    q.consumedTo(e.index() + 1);
                    continue;
                }
                q.addInFlight(f);
                q.consumedTo(e.index() + 1);
                if (attempt == 1) {
                    q.delivered++;
                    q.deliveredCounter.increment();
                    latency.record(Duration.ofMillis(Math.max(0, now - m.pubTimeMillis())));
                } else {
                    q.redelivered++;
                    q.redeliveredCounter.increment();
                }
                out.add(new Delivery(m, attempt, reader.contentFile(e.position(), m)));
            }
        }
    }

    /** How many entries to read when {@code have} of {@code max} are found. */
    static int batch(int max, int have) {
        return (int) Math.min(BATCH, (long) max - have + 16);
    }

    private long hiddenFor(int attempt) {
        return Math.max(options.redeliveryTimeout().toMillis(), options.backoff(attempt).toMillis());
    }

    private boolean expired(BrokerMessage m, long now) {
        return now - m.pubTimeMillis() > options.retention().toMillis();
    }

    ConfirmOutcome confirm(QueueName queue, long[] confirmedIds, long[] failedIds) {
        synchronized (ctx.mutex) {
            QueueState q = queues.get(queue);
            if (q == null || ctx.closed) {
                int n = confirmedIds.length + failedIds.length;
                if (n > 0) {
                    Counter.builder("topaz.broker.confirm.ignored").tags(QueueTable.tags(queue)).register(ctx.registry)
                            .increment(n);
                }
                return new ConfirmOutcome(0, 0, n);
            }
            long now = ctx.clock.millis();
            int confirmed = 0;
            int failed = 0;
            int ignored = 0;
            for (long id : confirmedIds) {
                InFlight f = q.removeInFlight(id);
                if (f == null) {
                    ignored++;
                    continue;
                }
                q.markDone(f.index);
                q.confirmed++;
                confirmed++;
            }
            for (long id : failedIds) {
                InFlight f = q.inFlight.get(id);
                if (f == null) {
                    ignored++;
                    continue;
                }
                q.reschedule(f, now + options.backoff(f.attempts).toMillis());
                failed++;
            }
            q.confirmedCounter.increment(confirmed);
            q.ignored += ignored;
            q.ignoredCounter.increment(ignored);
            if (confirmed > 0) {
                writer.persist(q);
            }
            return new ConfirmOutcome(confirmed, failed, ignored);
        }
    }
}

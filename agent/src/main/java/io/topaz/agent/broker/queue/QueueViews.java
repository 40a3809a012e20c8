package io.topaz.agent.broker.queue;

import io.topaz.agent.broker.BrokerMessage;
import io.topaz.agent.broker.LocalQueues.Backlog;
import io.topaz.agent.broker.QueueName;
import io.topaz.agent.broker.QueueStats;
import io.topaz.agent.broker.store.ConsumeQueue;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Read-only views of {@link QueueEngine}'s queues: their names, their stats, a page of a queue's unconfirmed messages
 * ({@link QueueEngine#backlog}), and for tests a queue's in-memory footprint and chunk count. Each takes the engine's
 * lock and changes nothing.
 */
final class QueueViews {

    private final Object mutex;
    private final Clock clock;
    private final QueueTable queues;
    private final RecordReader reader;
    private final DeadLettering deadLetters;

    QueueViews(EngineContext ctx, QueueTable queues, RecordReader reader, DeadLettering deadLetters) {
        this.mutex = ctx.mutex;
        this.clock = ctx.clock;
        this.queues = queues;
        this.reader = reader;
        this.deadLetters = deadLetters;
    }

    Set<QueueName> queues() {
        synchronized (mutex) {
            return new TreeSet<>(queues.names());
        }
    }

    List<QueueStats> stats() {
        synchronized (mutex) {
            long now = clock.millis();
            return queues.all().stream().sorted(Comparator.comparing(q -> q.name)).map(q -> {
                long notDue = q.inFlight.values().stream().filter(f -> f.dueAt > now).count();
                return new QueueStats(q.name, q.unconfirmed, notDue, reader.oldestAge(q, now), q.delivered,
                        q.confirmed, q.redelivered, q.deadLettered, deadLetters.count(q.name.appKey()));
            }).toList();
        }
    }

    Backlog backlog(QueueName queue, long fromPosition, int max) {
        synchronized (mutex) {
            QueueState q = queues.get(queue);
            if (q == null) {
                return new Backlog(List.of(), fromPosition, true);
            }
            List<BrokerMessage> out = new ArrayList<>();
            long next = Math.max(fromPosition, Math.max(q.window.confirmPos(), q.file.firstIndex()));
            long end = q.file.writeIndex();
            while (out.size() < max && next < end) {
                List<ConsumeQueue.Entry> es = q.file.read(next, Dispatcher.batch(max, out.size()), end);
                if (es.isEmpty()) {
                    break;
                }
                for (ConsumeQueue.Entry e : es) {
                    if (out.size() >= max) {
                        break;
                    }
                    next = e.index() + 1;
                    if (!q.isDone(e.index()) && e.valid()) {
                        BrokerMessage m = reader.readMessage(e.position(), e.id());
                        if (m != null) {
                            out.add(m);
                        }
                    }
                }
            }
            return new Backlog(out, next, next >= end);
        }
    }

    /** The in-memory entries of a queue (tests: memory does not grow with the backlog). */
    QueueEngine.Footprint footprint(QueueName queue) {
        synchronized (mutex) {
            QueueState q = queues.get(queue);
            return q == null ? new QueueEngine.Footprint(0, 0, 0, 0, 0) : new QueueEngine.Footprint(q.inFlight.size(),
                    q.due.size(), q.window.span(), q.file.mappedChunks(), q.pendingSegments.size());
        }
    }

    /** A queue's chunk files. */
    int queueChunks(QueueName queue) {
        synchronized (mutex) {
            QueueState q = queues.get(queue);
            return q == null ? 0 : q.file.chunkCount();
        }
    }
}

package io.topaz.agent.broker.queue;

import io.micrometer.core.instrument.Counter;
import io.topaz.agent.broker.BrokerMessage;
import io.topaz.agent.broker.DeadLetter;
import io.topaz.agent.broker.DeadLetterQuery;
import io.topaz.agent.broker.store.ConsumeQueue;
import io.topaz.agent.broker.store.Durability;
import io.topaz.agent.broker.store.LogStore;
import io.topaz.agent.broker.store.MessageLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.ToLongFunction;

/**
 * {@link QueueEngine}'s dead letters: moves a message there (past its attempts, its retention or its app's backlog
 * cap), finds a page of an app's dead letters, replays dead letters into their queues and purges them (on request, or
 * past their retention). A dead letter is a copy of its message in the state store, so that it pins no log segment,
 * indexed in memory by {@link DeadLetterIndex}. {@link #deadLetter}, {@link #enforceBacklogCap} and
 * {@link #purgeOlderThan} run under the engine's lock; the others take it.
 */
final class DeadLettering {

    /** The engine's logger: messages keep the category they had before this class was split out of it. */
    private static final Logger log = LoggerFactory.getLogger(QueueEngine.class);

    private final EngineContext ctx;
    private final Path dir;
    private final Object mutex;
    private final LogStore state;
    private final MessageLog messages;
    private final ToLongFunction<String> backlogCapOf;
    private final DeadLetterIndex deadLetters;
    private final QueueTable queues;
    private final RecordReader reader;
    private final QueueCommitter committer;
    private final StateWriter writer;

    DeadLettering(EngineContext ctx, ToLongFunction<String> backlogCapOf, DeadLetterIndex deadLetters,
                  QueueTable queues, RecordReader reader, QueueCommitter committer, StateWriter writer) {
        this.ctx = ctx;
        this.dir = ctx.dir;
        this.mutex = ctx.mutex;
        this.state = ctx.state;
        this.messages = ctx.messages;
        this.backlogCapOf = backlogCapOf;
        this.deadLetters = deadLetters;
        this.queues = queues;
        this.reader = reader;
        this.committer = committer;
        this.writer = writer;
    }

    /** At open: indexes the dead letters the state store holds. */
    static void load(LogStore state, DeadLetterIndex deadLetters) {
        for (String key : state.keys(DeadLetterIndex.PREFIX)) {
            state.get(key).map(Codec::deadLetter).ifPresent(d -> deadLetters.add(new DeadLetterIndex.Ref(
                    d.deadAtMillis(), d.message().id(), d.queue(), d.message().topic())));
        }
    }

    /**
     * Under the lock: copies {@code m} into the dead letters and marks its entry done (removing it from the
     * in-flight set). The queue's state is persisted only once the copy is durable; until then the message's log
     * segment stays pinned. False when the state store refused the write (nothing changed).
     */
    boolean deadLetter(QueueState q, BrokerMessage m, int attempts, String reason, long index, long position,
                       long now) {
        DeadLetter d = new DeadLetter(m, q.name, now, attempts, reason);
        DeadLetterIndex.Ref ref = new DeadLetterIndex.Ref(now, m.id(), q.name, m.topic());
        CompletableFuture<Durability> written = state.put(ref.key(), Codec.deadLetter(d));
        if (written.isCompletedExceptionally()) {
            log.warn("message store {}: cannot dead-letter message {} of {} now; will try again", dir, m.id(), q.name);
            return false;
        }
        deadLetters.add(ref);
        InFlight f = q.inFlight.get(m.id());
        if (f != null && f.index == index) {
            q.removeInFlight(m.id());
        }
        q.markDone(index);
        q.deadLettered++;
        Counter.builder("topaz.broker.dead_lettered").tags(QueueTable.tags(q.name).and("reason", reason))
                .register(ctx.registry).increment();
        writer.track(q, MessageLog.segmentOf(position), written);
        return true;
    }

    /** Beyond the app's cap, its oldest unconfirmed (durable) messages are dead-lettered. Under the lock. */
    void enforceBacklogCap(String app) {
        long cap = backlogCapOf.applyAsLong(app);
        if (cap <= 0) {
            return;
        }
        List<QueueState> qs = queues.ofApp(app);
        long total = qs.stream().mapToLong(q -> q.unconfirmed).sum();
        long now = ctx.clock.millis();
        while (total > cap) {
            QueueState oldest = null;
            ConsumeQueue.Entry head = null;
            for (QueueState q : qs) {
                ConsumeQueue.Entry e = RecordReader.headEntry(q, q.durableIndex);
                if (e != null && (head == null || e.position() < head.position())) {
                    oldest = q;
                    head = e;
                }
            }
            if (oldest == null) {
                return;
            }
            oldest.consumedTo(head.index()); // everything between is done: the head is the first entry not done
            BrokerMessage m = reader.readMessage(head.position(), head.id());
            InFlight f = oldest.inFlight.get(head.id());
            int attempts = f != null && f.index == head.index() ? f.attempts : head.attempts();
            if (m == null) {
                oldest.markDone(head.index());
            } else if (!deadLetter(oldest, m, attempts, QueueEngine.BACKLOG_CAP, head.index(), head.position(),
                    now)) {
                return;
            } else if (oldest.deadLettered % 1000 == 1) {
                log.warn("message store {}: app {} is over its backlog cap of {}; its oldest messages go to the "
                        + "dead letters ({} so far in {})", dir, app, cap, oldest.deadLettered, oldest.name);
            }
            total--;
        }
    }

    /** Under the lock: deletes the dead letters that died before {@code millis}; how many. */
    int purgeOlderThan(long millis) {
        int purged = 0;
        for (DeadLetterIndex.Ref r : deadLetters.olderThan(millis)) {
            state.delete(r.key());
            deadLetters.remove(r);
            purged++;
        }
        return purged;
    }

    /** How many dead letters the app has. Under the lock. */
    int count(String appKey) {
        return deadLetters.count(appKey);
    }

    DeadLetterQuery.Page query(DeadLetterQuery query) {
        List<DeadLetterIndex.Ref> refs;
        synchronized (mutex) {
            refs = deadLetters.matching(query.appKey(), query.topic(), query.fromMillis(), query.toMillis());
        }
        long from = (long) query.page() * query.size();
        List<DeadLetter> items = new ArrayList<>();
        for (long i = from; i < refs.size() && items.size() < query.size(); i++) {
            DeadLetterIndex.Ref r = refs.get((int) i);
            state.get(r.key()).map(Codec::deadLetter).ifPresent(items::add);
        }
        return new DeadLetterQuery.Page(items, refs.size());
    }

    int replay(String appKey, Collection<Long> ids) {
        int replayed = 0;
        synchronized (mutex) {
            if (ctx.closed) {
                return 0;
            }
            for (long id : new LinkedHashSet<>(ids)) {
                for (DeadLetterIndex.Ref ref : deadLetters.byId(appKey, id)) {
                    Optional<byte[]> bytes = state.get(ref.key());
                    if (bytes.isEmpty()) {
                        deadLetters.remove(ref);
                        continue;
                    }
                    DeadLetter d = Codec.deadLetter(bytes.get());
                    byte[] value = Codec.message(d.message());
                    MessageLog.Appended a = messages.append(id, d.message().pubTimeMillis(), value);
                    if (a.position() < 0) {
                        return replayed; // overloaded: the rest stay dead letters
                    }
                    QueueState q = queues.queueOrCreate(ref.queue());
                    long index = committer.appendRef(q, a.position(), a.size(), 0, id);
                    deadLetters.remove(ref);
                    String key = ref.key();
                    committer.await(a.durable(), List.of(q), new long[]{index}).thenRun(() -> {
                        synchronized (mutex) { // unless it died again meanwhile (a new dead letter, same key)
                            if (!deadLetters.contains(key) && !ctx.closed) {
                                state.delete(key);
                            }
                        }
                    })
                            .exceptionally(e -> {
                                log.error("message store {}: replay of {} not durable; it stays a dead letter after "
                                        + "a restart", dir, key, e);
                                return null;
                            });
                    replayed++;
                }
            }
        }
        return replayed;
    }

    int purge(String appKey, Collection<Long> ids) {
        int purged = 0;
        synchronized (mutex) {
            for (long id : new LinkedHashSet<>(ids)) {
                for (DeadLetterIndex.Ref ref : deadLetters.byId(appKey, id)) {
                    state.delete(ref.key());
                    deadLetters.remove(ref);
                    purged++;
                }
            }
        }
        return purged;
    }
}

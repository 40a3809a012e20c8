package io.topaz.agent.broker.queue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.topaz.agent.broker.BrokerException;
import io.topaz.agent.broker.BrokerMessage;
import io.topaz.agent.broker.ConfirmOutcome;
import io.topaz.agent.broker.DeadLetter;
import io.topaz.agent.broker.DeadLetterQuery;
import io.topaz.agent.broker.ContentFile;
import io.topaz.agent.broker.Delivery;
import io.topaz.agent.broker.LocalQueues;
import io.topaz.agent.broker.QueueName;
import io.topaz.agent.broker.QueueStats;
import io.topaz.agent.broker.store.ConsumeQueue;
import io.topaz.agent.broker.store.CorruptRecordException;
import io.topaz.agent.broker.store.Durability;
import io.topaz.agent.broker.store.LogStore;
import io.topaz.agent.broker.store.MessageLog;
import io.topaz.agent.broker.store.StoreOverloadedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;

/**
 * One agent's message storage ({@link LocalQueues}), after RocketMQ's CommitLog and ConsumeQueue:
 *
 * <ul>
 *   <li>a {@link MessageLog} in {@code dir/log}: each message appended once, however many queues receive it,
 *       addressed by position;</li>
 *   <li>per (app, group) queue a {@link ConsumeQueue} in {@code dir/queues/<hex of app/group>}: fixed 20-byte
 *       references, indexed by position;</li>
 *   <li>a keyed {@link LogStore} in {@code dir/state}: one record per queue (confirm position, the confirmation
 *       bitmap above it, counters) and one per dead letter (a copy of the message, so that dead letters pin no log
 *       segment).</li>
 * </ul>
 *
 * <p>In memory per queue ({@link QueueState}): positions, the confirmation window (bounded by
 * {@link Options#maxWindow()}), the in-flight set (bounded by {@link Options#inFlightCap()}) and three mapped chunks
 * of its file: nothing grows with the backlog. See docs/architecture.md, "Message queues: memory and disk".
 *
 * <p><b>Redelivery.</b> A delivery stays in flight until confirmed; unanswered, it is due again
 * {@code max(redeliveryTimeout, backoff[n-1])} after its n-th delivery, failed ({@code failed} ids) after
 * {@code backoff[n-1]}. {@link #consume} hands out due messages first, then new ones in queue order, so a redelivered
 * message comes after the messages delivered since. After {@link Options#maxAttempts()} deliveries, or once older than
 * {@link Options#retention()} (from its publish time), a message moves to its app's dead letters instead. A message
 * in flight for long holds the confirm position; when the window passes half of {@code maxWindow}, or when its log
 * segment is to be reclaimed, its reference is <em>carried forward</em>: the message is appended anew to the log, a
 * reference appended at the queue's tail (it stays in flight under its id, with its attempts), and the old entry is
 * marked done, so the confirm position moves on (RocketMQ's retry queue does the same).
 *
 * <p><b>Durability.</b> An append completes when the log record and the queue entries are durable (group commit by
 * default: the log's committer and this engine's committer, which forces the queue files written to since the last
 * one). Only durable entries are handed out. Confirmations are persisted asynchronously (the state store's group
 * commit): a crash can lose the last few milliseconds of confirmations, which are then delivered again (at least once).
 * A queue's state is persisted only once the dead letters and carried copies it depends on are durable. After a
 * crash every unconfirmed message, in flight or not, is delivered again, in queue order; after a clean {@link #close}
 * no confirmed message is.
 *
 * <p><b>Reclamation</b> ({@link Options#reclaimInterval()}, or {@link #reclaim()}): expired messages are
 * dead-lettered, long-held in-flight references carried forward, then every log segment that no queue's unconfirmed
 * entry (nor a dead letter or carried copy still being written) refers into is deleted, oldest first, and queue chunks
 * wholly below their confirm position are deleted. Backlog not yet delivered is never carried forward (it would lose
 * its order): it pins its segments until delivered, dead-lettered past the retention, or pushed out by the app's
 * backlog cap.
 *
 * <p>Thread-safe: one lock serializes every operation on queues (appends, consumes, confirms, reclamation); disk
 * forces happen outside it except the queue files' (small, 20 bytes an entry). Time comes from the {@link Clock}.
 */
public final class QueueEngine implements LocalQueues {

    private static final Logger log = LoggerFactory.getLogger(QueueEngine.class);

    static final String MAX_ATTEMPTS = "MAX_ATTEMPTS";
    static final String RETENTION = "RETENTION";
    static final String BACKLOG_CAP = "BACKLOG_CAP";
    private static final String STATE_PREFIX = "q/";
    private static final String RELEASED = ".released-";
    private static final int BATCH = 256;

    /**
     * Settings.
     *
     * @param segmentBytes        size of a message log segment (and of the state store's)
     * @param durability          what an acknowledged append promises
     * @param groupCommitInterval how often a group commit forces the log and the queue files
     * @param maxWaitingAppends   appends that may wait for a group commit before appends are refused (OVERLOADED)
     * @param redeliveryTimeout   how long a delivery stays hidden when the consumer neither confirms nor fails it
     * @param backoff             delay before delivery n+1 after the n-th failed (and the least hidden time after it
     *                            unanswered); the last repeats. Default RocketMQ's retry levels, 10 s to 2 h
     * @param maxAttempts         deliveries before a message is dead-lettered (1 to 255; default 16)
     * @param retention           a message older than this (from its publish time) is dead-lettered (default 3 days)
     * @param inFlightCap         messages in flight per queue; consume hands out fewer at the cap (default 10,000)
     * @param maxWindow           span of a queue's confirmation window, entries; consume hands out no new message
     *                            beyond it, and references are carried forward past half of it (default 100,000)
     * @param queueChunkEntries   entries per queue file chunk (default 65,536: 1.25 MiB)
     * @param reclaimInterval     how often reclamation runs (default 10 s)
     * @param deadLetterRetention dead letters older than this are purged (default 14 days)
     */
    public record Options(int segmentBytes, Durability durability, Duration groupCommitInterval,
                          int maxWaitingAppends, Duration redeliveryTimeout, List<Duration> backoff, int maxAttempts,
                          Duration retention, int inFlightCap, int maxWindow, int queueChunkEntries,
                          Duration reclaimInterval, Duration deadLetterRetention) {

        /** RocketMQ's delay levels 3 to 18, which its consumers' retries use. */
        public static final List<Duration> ROCKETMQ_BACKOFF = Stream.of("10s", "30s", "1m", "2m", "3m", "4m", "5m",
                "6m", "7m", "8m", "9m", "10m", "20m", "30m", "1h", "2h").map(Options::parse).toList();

        public Options {
            new LogStore.Options(segmentBytes, durability, groupCommitInterval, maxWaitingAppends); // validates
            backoff = List.copyOf(backoff);
            if (backoff.isEmpty() || backoff.stream().anyMatch(d -> d.isNegative())) {
                throw new IllegalArgumentException("backoff must hold at least one non-negative duration");
            }
            if (redeliveryTimeout.isNegative() || redeliveryTimeout.isZero()) {
                throw new IllegalArgumentException("redeliveryTimeout must be positive");
            }
            if (maxAttempts < 1 || maxAttempts > ConsumeQueue.MAX_ATTEMPTS) {
                throw new IllegalArgumentException("maxAttempts must be 1 to 255, was " + maxAttempts);
            }
            if (retention.isNegative() || retention.isZero() || deadLetterRetention.isNegative()
                    || deadLetterRetention.isZero() || reclaimInterval.isNegative() || reclaimInterval.isZero()) {
                throw new IllegalArgumentException("retention, deadLetterRetention and reclaimInterval must be positive");
            }
            if (inFlightCap < 1 || maxWindow < 2L * inFlightCap || queueChunkEntries < 16) {
                throw new IllegalArgumentException("inFlightCap must be >= 1, maxWindow >= 2 x inFlightCap, "
                        + "queueChunkEntries >= 16");
            }
        }

        public static Options defaults() {
            return new Options(64 * 1024 * 1024, Durability.GROUP_COMMIT, Duration.ofMillis(2),
                    LogStore.Options.DEFAULT_MAX_WAITING_APPENDS, Duration.ofSeconds(60), ROCKETMQ_BACKOFF, 16,
                    Duration.ofDays(3), 10_000, 100_000, 65_536, Duration.ofSeconds(10), Duration.ofDays(14));
        }

        public Options withDurability(Durability d) {
            return new Options(segmentBytes, d, groupCommitInterval, maxWaitingAppends, redeliveryTimeout, backoff,
                    maxAttempts, retention, inFlightCap, maxWindow, queueChunkEntries, reclaimInterval,
                    deadLetterRetention);
        }

        public Options withSegmentBytes(int bytes) {
            return new Options(bytes, durability, groupCommitInterval, maxWaitingAppends, redeliveryTimeout, backoff,
                    maxAttempts, retention, inFlightCap, maxWindow, queueChunkEntries, reclaimInterval,
                    deadLetterRetention);
        }

        public Options withRedelivery(Duration timeout, List<Duration> backoffs, int attempts) {
            return new Options(segmentBytes, durability, groupCommitInterval, maxWaitingAppends, timeout, backoffs,
                    attempts, retention, inFlightCap, maxWindow, queueChunkEntries, reclaimInterval,
                    deadLetterRetention);
        }

        public Options withRetention(Duration messages, Duration deadLetters) {
            return new Options(segmentBytes, durability, groupCommitInterval, maxWaitingAppends, redeliveryTimeout,
                    backoff, maxAttempts, messages, inFlightCap, maxWindow, queueChunkEntries, reclaimInterval,
                    deadLetters);
        }

        public Options withLimits(int inFlight, int window, int chunkEntries) {
            return new Options(segmentBytes, durability, groupCommitInterval, maxWaitingAppends, redeliveryTimeout,
                    backoff, maxAttempts, retention, inFlight, window, chunkEntries, reclaimInterval,
                    deadLetterRetention);
        }

        public Options withReclaimInterval(Duration every) {
            return new Options(segmentBytes, durability, groupCommitInterval, maxWaitingAppends, redeliveryTimeout,
                    backoff, maxAttempts, retention, inFlightCap, maxWindow, queueChunkEntries, every,
                    deadLetterRetention);
        }

        LogStore.Options store() {
            return new LogStore.Options(segmentBytes, durability, groupCommitInterval, maxWaitingAppends);
        }

        Duration backoff(int attempt) {
            return backoff.get(Math.max(0, Math.min(attempt, backoff.size()) - 1));
        }

        private static Duration parse(String s) {
            long n = Long.parseLong(s.substring(0, s.length() - 1));
            return switch (s.charAt(s.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }
    }

    /** What one reclamation did. */
    record ReclaimReport(int segmentsDeleted, int carriedForward, int deadLettered, int chunksDeleted,
                         int deadLettersPurged) {
    }

    /** The in-memory entries one queue holds, for tests that memory does not grow with the backlog. */
    record Footprint(int inFlight, int due, int windowBits, int mappedChunks, int pendingSegments) {
    }

    /** Appends whose log record and queue entries wait for a group commit. */
    private record Pending(CompletableFuture<Durability> logDurable, List<QueueState> queues, long[] indexes,
                           CompletableFuture<Void> done) {
    }

    private final Path dir;
    private final Path queuesDir;
    private final Options options;
    private final Clock clock;
    private final MeterRegistry registry;
    private final ToLongFunction<String> backlogCapOf;
    private final MessageLog messages;
    private final LogStore state;
    private final Object mutex = new Object();
    private final Map<QueueName, QueueState> queues = new HashMap<>();
    private final Map<String, List<QueueState>> byApp = new HashMap<>();
    private final DeadLetterIndex deadLetters = new DeadLetterIndex();
    private final Set<QueueState> dirtyQueues = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    private final Set<CompletableFuture<?>> tracked = ConcurrentHashMap.newKeySet();
    private List<Pending> pending = new ArrayList<>();
    private final Timer latency;
    private final Counter corrupt;
    private final Counter missing;
    private final ScheduledExecutorService executor;
    /**
     * Forces the dirty queue files of one commit side by side: with messages spread over many queues, forcing them one
     * after another made a commit cost one disk flush per queue; issued together, the file system's journal commits
     * them in a few flushes.
     */
    private final java.util.concurrent.ExecutorService forcePool;
    private static final int FORCE_THREADS = 8;
    private volatile boolean closed;

    private QueueEngine(Path dir, Options options, Clock clock, MeterRegistry registry,
                        ToLongFunction<String> backlogCapOf) {
        this.dir = dir;
        this.queuesDir = dir.resolve("queues");
        this.options = options;
        this.clock = clock;
        this.registry = registry;
        this.backlogCapOf = backlogCapOf;
        this.latency = Timer.builder("topaz.broker.delivery.latency")
                .description("from a message's publish time to its first delivery").publishPercentileHistogram()
                .register(registry);
        this.corrupt = Counter.builder("topaz.broker.corrupt")
                .description("queue entries whose message could not be read back (skipped)").register(registry);
        this.missing = Counter.builder("topaz.broker.missing")
                .description("queue entries whose log segment was already reclaimed (done before a crash)")
                .register(registry);
        try {
            Files.createDirectories(queuesDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + queuesDir, e);
        }
        this.messages = MessageLog.open(dir.resolve("log"), options.store(), clock, registry);
        LogStore st = null;
        try {
            st = LogStore.open(dir.resolve("state"), new LogStore.Options(Math.min(options.segmentBytes(),
                    16 * 1024 * 1024), options.durability(), options.groupCommitInterval(), options.maxWaitingAppends()),
                    clock, registry);
            this.state = st;
            loadQueues();
            loadDeadLetters();
        } catch (RuntimeException e) {
            messages.close();
            if (st != null) {
                st.close();
            }
            throw e;
        }
        this.executor = Executors.newScheduledThreadPool(2, daemon());
        this.forcePool = Executors.newFixedThreadPool(FORCE_THREADS, daemon());
        state.mergeInBackground(options.reclaimInterval().multipliedBy(6), 0.5);
    }

    /**
     * Opens (recovering) or creates the engine's files in {@code dir}.
     *
     * @param backlogCapOf an app's backlog cap (unconfirmed messages over all its queues here); 0 or less: none
     */
    public static QueueEngine open(Path dir, Options options, Clock clock, MeterRegistry registry,
                                   ToLongFunction<String> backlogCapOf) {
        QueueEngine e = new QueueEngine(dir, options, clock, registry, backlogCapOf);
        if (options.durability() == Durability.GROUP_COMMIT) {
            long every = Math.max(1, options.groupCommitInterval().toNanos());
            e.executor.scheduleAtFixedRate(e::commitQueuesQuietly, every, every, TimeUnit.NANOSECONDS);
        }
        long reclaim = options.reclaimInterval().toMillis();
        e.executor.scheduleWithFixedDelay(e::reclaimQuietly, reclaim, reclaim, TimeUnit.MILLISECONDS);
        return e;
    }

    // ---------------------------------------------------------------------------------------------- append

    @Override
    public CompletableFuture<Void> append(BrokerMessage message, Collection<QueueName> queueNames) {
        Set<QueueName> targets = new LinkedHashSet<>(queueNames);
        if (targets.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        byte[] value = Codec.message(message);
        if (value.length + 28 > ConsumeQueue.MAX_SIZE || value.length + 28 > options.segmentBytes()) {
            return CompletableFuture.failedFuture(new BrokerException(BrokerException.Kind.INVALID,
                    "message " + message.id() + " is too large to store (" + value.length + " bytes)"));
        }
        synchronized (mutex) {
            if (closed) {
                return CompletableFuture.failedFuture(new BrokerException(BrokerException.Kind.UNAVAILABLE,
                        "the message store is closed"));
            }
            MessageLog.Appended a = messages.append(message.id(), message.pubTimeMillis(), value);
            if (a.position() < 0) {
                return a.durable().<Void>thenApply(d -> null).exceptionallyCompose(e -> failed(e));
            }
            List<QueueState> qs = new ArrayList<>(targets.size());
            long[] indexes = new long[targets.size()];
            try {
                for (QueueName name : targets) {
                    QueueState q = queueOrCreate(name);
                    indexes[qs.size()] = appendRef(q, a.position(), a.size(), 0, message.id());
                    qs.add(q);
                }
            } catch (RuntimeException e) {
                log.error("message store {}: cannot append message {} to its queues", dir, message.id(), e);
                return failed(e);
            }
            CompletableFuture<Void> done = await(a.durable(), qs, indexes);
            Set<String> apps = new LinkedHashSet<>();
            targets.forEach(t -> apps.add(t.appKey()));
            for (String app : apps) {
                enforceBacklogCap(app);
            }
            return done;
        }
    }

    private long appendRef(QueueState q, long position, int size, int attempts, long id) {
        long index = q.file.append(position, size, attempts, id);
        q.unconfirmed++;
        dirtyQueues.add(q);
        return index;
    }

    /** Under the lock: a future completing when the log record and the queue entries are durable. */
    private CompletableFuture<Void> await(CompletableFuture<Durability> logDurable, List<QueueState> qs,
                                          long[] indexes) {
        switch (options.durability()) {
            case OS -> {
                markDurable(qs, indexes);
                return CompletableFuture.completedFuture(null);
            }
            case SYNC_EACH -> {
                try {
                    for (QueueState q : qs) {
                        q.file.force();
                    }
                    qs.forEach(dirtyQueues::remove);
                } catch (RuntimeException e) {
                    return failed(e);
                }
                markDurable(qs, indexes);
                return logDurable.<Void>thenApply(d -> null).exceptionallyCompose(QueueEngine::failed);
            }
            default -> {
                CompletableFuture<Void> done = new CompletableFuture<>();
                pending.add(new Pending(logDurable, qs, indexes, done));
                return done;
            }
        }
    }

    private static void markDurable(List<QueueState> qs, long[] indexes) {
        for (int i = 0; i < qs.size(); i++) {
            QueueState q = qs.get(i);
            q.durableIndex = Math.max(q.durableIndex, Math.min(indexes[i] + 1, q.file.writeIndex()));
        }
    }

    /** The group commit of the queue files: forces those written to, then completes the appends they cover. */
    void commitQueues() {
        List<Pending> batch;
        List<Runnable> forces = new ArrayList<>();
        synchronized (mutex) {
            if (pending.isEmpty() && dirtyQueues.isEmpty()) {
                return;
            }
            batch = pending;
            pending = new ArrayList<>();
            for (QueueState q : dirtyQueues) {
                forces.add(q.file.takeForce());
            }
            dirtyQueues.clear();
        }
        RuntimeException failure = forceAll(forces); // outside the lock: consumes and confirms go on meanwhile
        if (failure != null) {
            log.error("message store {}: forcing the queue files failed; {} appends are not durable", dir,
                    batch.size(), failure);
        }
        for (Pending p : batch) {
            if (failure != null) {
                p.done().completeExceptionally(brokerError(failure));
                continue;
            }
            p.logDurable().whenComplete((d, e) -> {
                if (e != null) {
                    p.done().completeExceptionally(brokerError(e));
                    return;
                }
                synchronized (mutex) {
                    markDurable(p.queues(), p.indexes());
                }
                p.done().complete(null);
            });
        }
    }

    private void commitQueuesQuietly() {
        try {
            commitQueues();
        } catch (RuntimeException e) {
            log.error("message store {}: queue commit failed", dir, e);
        }
    }

    // --------------------------------------------------------------------------------------------- consume

    @Override
    public List<Delivery> consume(QueueName queue, int max) {
        if (max <= 0) {
            return List.of();
        }
        synchronized (mutex) {
            QueueState q = queues.get(queue);
            if (q == null || closed) {
                return List.of();
            }
            long now = clock.millis();
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
            BrokerMessage m = readMessage(f.position, f.id);
            if (m == null) {
                q.removeInFlight(f.id);
                q.markDone(f.index);
                continue;
            }
            if (f.attempts >= options.maxAttempts()) {
                if (!deadLetter(q, m, f.attempts, MAX_ATTEMPTS, f.index, f.position, now)) {
                    q.reschedule(f, now + options.backoff(f.attempts).toMillis());
                }
                continue;
            }
            if (expired(m, now)) {
                if (!deadLetter(q, m, f.attempts, RETENTION, f.index, f.position, now)) {
                    q.reschedule(f, now + options.backoff(f.attempts).toMillis());
                }
                continue;
            }
            f.attempts++;
            q.reschedule(f, now + hiddenFor(f.attempts));
            q.redelivered++;
            q.redeliveredCounter.increment();
            out.add(new Delivery(m, f.attempts, contentFile(f.position, m)));
        }
    }

    /**
     * New messages from the consume position, in queue order, up to {@code max}, the in-flight cap and the window;
     * with {@code expireOnly}, only dead-letters the expired ones at the head.
     */
    private void deliverNew(QueueState q, long now, int max, List<Delivery> out, boolean expireOnly) {
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
                    corrupt.increment();
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
                BrokerMessage m = readMessage(e.position(), e.id());
                if (m == null) {
                    q.markDone(e.index());
                    q.consumedTo(e.index() + 1);
                    continue;
                }
                if (expired(m, now)) {
                    if (!deadLetter(q, m, e.attempts(), RETENTION, e.index(), e.position(), now)) {
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
                    if (!deadLetter(q, m, e.attempts(), MAX_ATTEMPTS, e.index(), e.position(), now)) {
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
                out.add(new Delivery(m, attempt, contentFile(e.position(), m)));
            }
        }
    }

    private static int batch(int max, int have) {
        return (int) Math.min(BATCH, (long) max - have + 16);
    }

    private long hiddenFor(int attempt) {
        return Math.max(options.redeliveryTimeout().toMillis(), options.backoff(attempt).toMillis());
    }

    private boolean expired(BrokerMessage m, long now) {
        return now - m.pubTimeMillis() > options.retention().toMillis();
    }

    // --------------------------------------------------------------------------------------------- confirm

    @Override
    public ConfirmOutcome confirm(QueueName queue, long[] confirmedIds, long[] failedIds) {
        synchronized (mutex) {
            QueueState q = queues.get(queue);
            if (q == null || closed) {
                int n = confirmedIds.length + failedIds.length;
                if (n > 0) {
                    Counter.builder("topaz.broker.confirm.ignored").tags(tags(queue)).register(registry).increment(n);
                }
                return new ConfirmOutcome(0, 0, n);
            }
            long now = clock.millis();
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
                persist(q);
            }
            return new ConfirmOutcome(confirmed, failed, ignored);
        }
    }

    // --------------------------------------------------------------------------------- dead letters, cap

    /**
     * Under the lock: copies {@code m} into the dead letters and marks its entry done (removing it from the
     * in-flight set). The queue's state is persisted only once the copy is durable; until then the message's log
     * segment stays pinned. False when the state store refused the write (nothing changed).
     */
    private boolean deadLetter(QueueState q, BrokerMessage m, int attempts, String reason, long index,
                               long position, long now) {
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
        Counter.builder("topaz.broker.dead_lettered").tags(tags(q.name).and("reason", reason)).register(registry)
                .increment();
        track(q, MessageLog.segmentOf(position), written);
        return true;
    }

    /** Beyond the app's cap, its oldest unconfirmed (durable) messages are dead-lettered. Under the lock. */
    private void enforceBacklogCap(String app) {
        long cap = backlogCapOf.applyAsLong(app);
        if (cap <= 0) {
            return;
        }
        List<QueueState> qs = byApp.getOrDefault(app, List.of());
        long total = qs.stream().mapToLong(q -> q.unconfirmed).sum();
        long now = clock.millis();
        while (total > cap) {
            QueueState oldest = null;
            ConsumeQueue.Entry head = null;
            for (QueueState q : qs) {
                ConsumeQueue.Entry e = headEntry(q, q.durableIndex);
                if (e != null && (head == null || e.position() < head.position())) {
                    oldest = q;
                    head = e;
                }
            }
            if (oldest == null) {
                return;
            }
            oldest.consumedTo(head.index()); // everything between is done: the head is the first entry not done
            BrokerMessage m = readMessage(head.position(), head.id());
            InFlight f = oldest.inFlight.get(head.id());
            int attempts = f != null && f.index == head.index() ? f.attempts : head.attempts();
            if (m == null) {
                oldest.markDone(head.index());
            } else if (!deadLetter(oldest, m, attempts, BACKLOG_CAP, head.index(), head.position(), now)) {
                return;
            } else if (oldest.deadLettered % 1000 == 1) {
                log.warn("message store {}: app {} is over its backlog cap of {}; its oldest messages go to the "
                        + "dead letters ({} so far in {})", dir, app, cap, oldest.deadLettered, oldest.name);
            }
            total--;
        }
    }

    /** The first entry not done at or above the confirm position, below {@code limit}, or null. */
    private ConsumeQueue.Entry headEntry(QueueState q, long limit) {
        long from = q.window.confirmPos();
        while (from < limit) {
            List<ConsumeQueue.Entry> es = q.file.read(from, 64, limit);
            if (es.isEmpty()) {
                return null;
            }
            for (ConsumeQueue.Entry e : es) {
                if (!q.isDone(e.index()) && e.valid()) {
                    return e;
                }
            }
            from = es.get(es.size() - 1).index() + 1;
        }
        return null;
    }

    /**
     * Counts {@code write} against the queue: its segment stays pinned and the queue's state is not persisted until
     * it is durable. If it fails, the queue's state is not persisted again in this run (its dependents might not be
     * durable): after a restart the queue starts from its last state, delivering again what followed (at least once).
     */
    private CompletableFuture<?> track(QueueState q, long segment, CompletableFuture<?> write) {
        q.pin(segment);
        CompletableFuture<?> t = write.whenComplete((v, e) -> {
            synchronized (mutex) {
                q.unpin(segment);
                if (e != null) {
                    q.stateBroken = true;
                    log.error("message store {}: a dead letter or carried copy of {} is not durable; the queue's "
                            + "state will not be saved again until a restart", dir, q.name, e);
                } else if (!q.writesPending() && q.persistWanted) {
                    persist(q);
                }
            }
        });
        tracked.add(t);
        t.whenComplete((v, e) -> tracked.remove(t));
        return t;
    }

    /** Under the lock: writes the queue's state (asynchronously), or defers it while its dependents are pending. */
    private CompletableFuture<?> persist(QueueState q) {
        if (q.stateBroken || !queues.containsKey(q.name) || queues.get(q.name) != q) {
            return CompletableFuture.completedFuture(null);
        }
        if (q.writesPending()) {
            q.persistWanted = true;
            return CompletableFuture.completedFuture(null);
        }
        q.persistWanted = false;
        q.stateDirty = false;
        CompletableFuture<Durability> f = state.put(STATE_PREFIX + q.name.key(), Codec.state(q.snapshot()));
        f.whenComplete((d, e) -> {
            if (e != null) {
                synchronized (mutex) {
                    q.stateDirty = true; // the next reclamation writes it again
                }
            }
        });
        return f;
    }

    // ------------------------------------------------------------------------------------ reading messages

    /** The message at {@code position}, or null (counted, logged) when it cannot be read back as message {@code id}. */
    private BrokerMessage readMessage(long position, long id) {
        MessageLog.Read r = readRecord(position, id);
        if (r == null) {
            return null;
        }
        try {
            return Codec.message(r.value());
        } catch (RuntimeException e) {
            corrupt.increment();
            log.error("message store {}: message {} at {} does not decode ({}); skipped", dir, id, position,
                    e.toString());
            return null;
        }
    }

    /** Where the content of message {@code m}, read at {@code position}, lies in the message log's files. */
    private ContentFile contentFile(long position, BrokerMessage m) {
        MessageLog.ValueAt at = messages.valueAt(position);
        return at == null ? null
                : new ContentFile(at.file(), at.offset() + Codec.contentOffset(m), Codec.utf8Length(m.content()));
    }

    private MessageLog.Read readRecord(long position, long id) {
        MessageLog.Read r;
        try {
            r = messages.read(position);
        } catch (CorruptRecordException e) {
            corrupt.increment();
            log.error("message store {}: message {} cannot be read: {}; skipped", dir, id, e.getMessage());
            return null;
        }
        if (r == null) {
            missing.increment();
            return null;
        }
        if (r.key() != id) {
            corrupt.increment();
            log.error("message store {}: the log holds message {} where message {} was referenced (a torn write); "
                    + "skipped", dir, r.key(), id);
            return null;
        }
        return r;
    }

    // ----------------------------------------------------------------------------------------- reclamation

    /**
     * One reclamation: dead-letters expired messages, carries long-held in-flight references forward, purges old
     * dead letters, then (once the copies are durable) deletes the log segments nothing refers into and the queue
     * chunks below their confirm positions.
     */
    ReclaimReport reclaim() {
        List<CompletableFuture<?>> waits = new ArrayList<>();
        int carried = 0;
        int dead = 0;
        int purged = 0;
        synchronized (mutex) {
            if (closed) {
                return new ReclaimReport(0, 0, 0, 0, 0);
            }
            long now = clock.millis();
            List<Long> segs = messages.segmentIds();
            long newestSealed = segs.size() < 2 ? -1 : segs.get(segs.size() - 2);
            for (QueueState q : List.copyOf(queues.values())) {
                long before = q.deadLettered;
                deliverNew(q, now, Integer.MAX_VALUE, new ArrayList<>(), true);
                for (InFlight f : List.copyOf(q.inFlight.values())) {
                    if (now - f.pubTime > options.retention().toMillis()) {
                        BrokerMessage m = readMessage(f.position, f.id);
                        if (m == null) {
                            q.removeInFlight(f.id);
                            q.markDone(f.index);
                        } else {
                            deadLetter(q, m, f.attempts, RETENTION, f.index, f.position, now);
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
            for (DeadLetterIndex.Ref r : deadLetters.olderThan(now - options.deadLetterRetention().toMillis())) {
                state.delete(r.key());
                deadLetters.remove(r);
                purged++;
            }
            waits.addAll(tracked);
        }
        commitQueues();
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
        synchronized (mutex) {
            if (closed) {
                return new ReclaimReport(0, carried, dead, 0, purged);
            }
            if (durable) {
                long pin = Long.MAX_VALUE;
                for (QueueState q : queues.values()) {
                    pin = Math.min(pin, pinnedSegment(q));
                }
                deleted = messages.deleteSegmentsBelow(pin);
            }
            for (QueueState q : queues.values()) {
                chunks += q.file.deleteChunksBelow(q.window.confirmPos());
                if (q.stateDirty || q.persistWanted) {
                    persist(q);
                }
            }
        }
        if (deleted + carried + dead + purged > 0) {
            log.info("message store {}: reclaimed {} log segments and {} queue chunks; carried {} messages forward, "
                    + "dead-lettered {}, purged {} old dead letters", dir, deleted, chunks, carried, dead, purged);
        }
        return new ReclaimReport(deleted, carried, dead, chunks, purged);
    }

    private void reclaimQuietly() {
        try {
            reclaim();
        } catch (RuntimeException e) {
            log.error("message store {}: reclamation failed; the next one tries again", dir, e);
        }
    }

    /** The oldest log segment the queue still needs: its head entry's, or a pending copy's. */
    private long pinnedSegment(QueueState q) {
        long pin = q.pendingSegments.isEmpty() ? Long.MAX_VALUE : q.pendingSegments.firstKey();
        ConsumeQueue.Entry head = headEntry(q, q.file.writeIndex());
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
            List<ConsumeQueue.Entry> es = q.file.read(from, BATCH, q.consumePos);
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
        MessageLog.Read r = readRecord(f.position, f.id);
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
        long index = appendRef(q, a.position(), a.size(), f.attempts, f.id);
        q.due.remove(f);
        f.index = index;
        f.position = a.position();
        f.size = a.size();
        q.due.add(f);
        q.markDone(oldIndex);
        waits.add(track(q, MessageLog.segmentOf(oldPosition), await(a.durable(), List.of(q), new long[]{index})));
        return true;
    }

    /** Re-appends an entry below the consume position that is neither done nor in flight (none normally). */
    private boolean carryEntry(QueueState q, ConsumeQueue.Entry e, List<CompletableFuture<?>> waits) {
        MessageLog.Read r = readRecord(e.position(), e.id());
        if (r == null) {
            q.markDone(e.index());
            return false;
        }
        MessageLog.Appended a = messages.append(e.id(), r.timestamp(), r.value());
        if (a.position() < 0) {
            return false;
        }
        long index = appendRef(q, a.position(), a.size(), e.attempts(), e.id());
        q.markDone(e.index());
        waits.add(track(q, MessageLog.segmentOf(e.position()), await(a.durable(), List.of(q), new long[]{index})));
        return true;
    }

    // ------------------------------------------------------------------------------------------ queries

    @Override
    public Set<QueueName> queues() {
        synchronized (mutex) {
            return new TreeSet<>(queues.keySet());
        }
    }

    @Override
    public List<QueueStats> stats() {
        synchronized (mutex) {
            long now = clock.millis();
            return queues.values().stream().sorted(Comparator.comparing(q -> q.name)).map(q -> {
                long notDue = q.inFlight.values().stream().filter(f -> f.dueAt > now).count();
                return new QueueStats(q.name, q.unconfirmed, notDue, oldestAge(q, now), q.delivered, q.confirmed,
                        q.redelivered, q.deadLettered, deadLetters.count(q.name.appKey()));
            }).toList();
        }
    }

    private long oldestAge(QueueState q, long now) {
        ConsumeQueue.Entry head = headEntry(q, q.file.writeIndex());
        if (head == null) {
            return 0;
        }
        try {
            MessageLog.Read r = messages.read(head.position());
            return r == null ? 0 : Math.max(0, now - r.timestamp());
        } catch (CorruptRecordException e) {
            return 0;
        }
    }

    @Override
    public Backlog backlog(QueueName queue, long fromPosition, int max) {
        synchronized (mutex) {
            QueueState q = queues.get(queue);
            if (q == null) {
                return new Backlog(List.of(), fromPosition, true);
            }
            List<BrokerMessage> out = new ArrayList<>();
            long next = Math.max(fromPosition, Math.max(q.window.confirmPos(), q.file.firstIndex()));
            long end = q.file.writeIndex();
            while (out.size() < max && next < end) {
                List<ConsumeQueue.Entry> es = q.file.read(next, batch(max, out.size()), end);
                if (es.isEmpty()) {
                    break;
                }
                for (ConsumeQueue.Entry e : es) {
                    if (out.size() >= max) {
                        break;
                    }
                    next = e.index() + 1;
                    if (!q.isDone(e.index()) && e.valid()) {
                        BrokerMessage m = readMessage(e.position(), e.id());
                        if (m != null) {
                            out.add(m);
                        }
                    }
                }
            }
            return new Backlog(out, next, next >= end);
        }
    }

    @Override
    public CompletableFuture<Void> release(QueueName queue) {
        Path released;
        synchronized (mutex) {
            QueueState q = queues.remove(queue);
            if (q == null) {
                return CompletableFuture.completedFuture(null);
            }
            List<QueueState> app = byApp.get(queue.appKey());
            app.remove(q);
            if (app.isEmpty()) {
                byApp.remove(queue.appKey());
            }
            dirtyQueues.remove(q);
            removeMeters(queue);
            q.file.close();
            Path qdir = queueDir(queue);
            released = qdir.resolveSibling(qdir.getFileName() + RELEASED + System.nanoTime());
            try {
                Files.move(qdir, released);
            } catch (IOException e) {
                return failed(e);
            }
        }
        return state.delete(STATE_PREFIX + queue.key()).<Void>thenApply(d -> {
            deleteTree(released);
            return null;
        }).exceptionallyCompose(QueueEngine::failed);
    }

    @Override
    public DeadLetterQuery.Page deadLetters(DeadLetterQuery query) {
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

    @Override
    public int replay(String appKey, Collection<Long> ids) {
        int replayed = 0;
        synchronized (mutex) {
            if (closed) {
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
                    QueueState q = queueOrCreate(ref.queue());
                    long index = appendRef(q, a.position(), a.size(), 0, id);
                    deadLetters.remove(ref);
                    String key = ref.key();
                    await(a.durable(), List.of(q), new long[]{index}).thenRun(() -> {
                        synchronized (mutex) { // unless it died again meanwhile (a new dead letter, same key)
                            if (!deadLetters.contains(key) && !closed) {
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

    @Override
    public int purge(String appKey, Collection<Long> ids) {
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

    // ------------------------------------------------------------------------------- test and admin hooks

    /** The in-memory entries of a queue (tests: memory does not grow with the backlog). */
    Footprint footprint(QueueName queue) {
        synchronized (mutex) {
            QueueState q = queues.get(queue);
            return q == null ? new Footprint(0, 0, 0, 0, 0) : new Footprint(q.inFlight.size(), q.due.size(),
                    q.window.span(), q.file.mappedChunks(), q.pendingSegments.size());
        }
    }

    /** The message log's segment ids, oldest first. */
    List<Long> logSegments() {
        return messages.segmentIds();
    }

    /** Bytes in the message log's live segments. */
    long logBytes() {
        return messages.bytes();
    }

    /** A queue's chunk files. */
    int queueChunks(QueueName queue) {
        synchronized (mutex) {
            QueueState q = queues.get(queue);
            return q == null ? 0 : q.file.chunkCount();
        }
    }

    // --------------------------------------------------------------------------------------- start-up

    private QueueState queueOrCreate(QueueName name) {
        QueueState q = queues.get(name);
        if (q == null) {
            q = new QueueState(name, ConsumeQueue.open(queueDir(name), options.queueChunkEntries()),
                    new Codec.State(0, new BitSet(), new long[0], 0, 0, 0, 0));
            add(q);
        }
        return q;
    }

    private void add(QueueState q) {
        queues.put(q.name, q);
        byApp.computeIfAbsent(q.name.appKey(), a -> new ArrayList<>()).add(q);
        Tags tags = tags(q.name);
        q.deliveredCounter = Counter.builder("topaz.broker.delivered").tags(tags).register(registry);
        q.confirmedCounter = Counter.builder("topaz.broker.confirmed").tags(tags).register(registry);
        q.redeliveredCounter = Counter.builder("topaz.broker.redelivered").tags(tags).register(registry);
        q.ignoredCounter = Counter.builder("topaz.broker.confirm.ignored").tags(tags).register(registry);
        Gauge.builder("topaz.broker.backlog", q, s -> s.unconfirmed).tags(tags)
                .description("messages stored and not yet confirmed").register(registry);
        Gauge.builder("topaz.broker.oldest.unconfirmed.age", q, s -> {
            synchronized (mutex) {
                return queues.get(s.name) == s ? oldestAge(s, clock.millis()) / 1000.0 : 0;
            }
        }).tags(tags).baseUnit("seconds").register(registry);
    }

    private void removeMeters(QueueName name) {
        for (Meter m : List.copyOf(registry.getMeters())) {
            if (m.getId().getName().startsWith("topaz.broker.") && name.appKey().equals(m.getId().getTag("app"))
                    && name.group().equals(m.getId().getTag("group"))) {
                registry.remove(m);
            }
        }
    }

    private static Tags tags(QueueName name) {
        return Tags.of("app", name.appKey(), "group", name.group());
    }

    private Path queueDir(QueueName name) {
        return queuesDir.resolve(HexFormat.of().formatHex(name.key().getBytes(StandardCharsets.UTF_8)));
    }

    private void loadQueues() {
        List<Path> dirs;
        try (Stream<Path> s = Files.list(queuesDir)) {
            dirs = s.toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + queuesDir, e);
        }
        for (Path d : dirs) {
            String name = d.getFileName().toString();
            if (name.contains(RELEASED)) {
                deleteTree(d);
                continue;
            }
            QueueName queue;
            try {
                queue = QueueName.parse(new String(HexFormat.of().parseHex(name), StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                log.warn("message store {}: ignoring {} in {}: not a queue's directory", dir, name, queuesDir);
                continue;
            }
            Codec.State st = state.get(STATE_PREFIX + queue.key()).map(Codec::state)
                    .orElse(new Codec.State(0, new BitSet(), new long[0], 0, 0, 0, 0));
            ConsumeQueue file = ConsumeQueue.open(d, options.queueChunkEntries());
            QueueState q = new QueueState(queue, file, st);
            if (q.window.confirmPos() > file.writeIndex()) {
                log.error("message store {}: queue {} was confirmed up to {} but its file ends at {}", dir, queue,
                        q.window.confirmPos(), file.writeIndex());
            }
            add(q);
        }
        for (String key : state.keys(STATE_PREFIX)) {
            if (!queues.containsKey(QueueName.parse(key.substring(STATE_PREFIX.length())))) {
                state.delete(key); // a released queue whose files went first
            }
        }
        long backlog = queues.values().stream().mapToLong(q -> q.unconfirmed).sum();
        log.info("message store {}: {} queues, {} unconfirmed messages, {} log segments", dir, queues.size(), backlog,
                messages.segmentIds().size());
    }

    private void loadDeadLetters() {
        for (String key : state.keys(DeadLetterIndex.PREFIX)) {
            state.get(key).map(Codec::deadLetter).ifPresent(d -> deadLetters.add(new DeadLetterIndex.Ref(
                    d.deadAtMillis(), d.message().id(), d.queue(), d.message().topic())));
        }
    }

    // ------------------------------------------------------------------------------------------ close

    /** Stops, persisting every queue's state: no confirmed message is delivered again after a reopen. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        stopThreads();
        synchronized (mutex) {
            closed = true;
        }
        messages.commit();
        commitQueues();
        List<CompletableFuture<?>> writes = new ArrayList<>(tracked);
        try {
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("message store {}: dead letters or copies not durable at close ({})", dir, e.toString());
        }
        synchronized (mutex) {
            for (QueueState q : queues.values()) {
                persist(q);
            }
            closeFiles();
        }
    }

    /** A crash, for tests: stops without writing anything more (what reached the page cache stays). */
    void abandon() {
        if (closed) {
            return;
        }
        stopThreads();
        synchronized (mutex) {
            closed = true;
            closeFiles();
        }
    }

    private void stopThreads() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(30, TimeUnit.SECONDS);
            forcePool.shutdown();
            forcePool.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeFiles() {
        state.close();
        messages.close();
        for (QueueState q : queues.values()) {
            q.file.close();
            removeMeters(q.name);
        }
    }

    // --------------------------------------------------------------------------------------------- util

    private static <T> CompletableFuture<T> failed(Throwable e) {
        return CompletableFuture.failedFuture(brokerError(e));
    }

    private static BrokerException brokerError(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof BrokerException b) {
            return b;
        }
        if (cause instanceof StoreOverloadedException) {
            return new BrokerException(BrokerException.Kind.OVERLOADED, cause.getMessage(), cause);
        }
        return new BrokerException(BrokerException.Kind.INTERNAL, "the message store failed: " + cause, cause);
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            log.warn("cannot delete {}: {}", root, e.toString());
        }
    }

    /** Runs the forces (in parallel when there are several); the last failure, or null. */
    private RuntimeException forceAll(List<Runnable> forces) {
        RuntimeException failure = null;
        if (forces.size() <= 1) {
            for (Runnable force : forces) {
                try {
                    force.run();
                } catch (RuntimeException e) {
                    failure = e;
                }
            }
            return failure;
        }
        List<java.util.concurrent.Future<?>> running = new ArrayList<>(forces.size());
        for (Runnable force : forces) {
            try {
                running.add(forcePool.submit(force));
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                try {
                    force.run();
                } catch (RuntimeException e) {
                    failure = e;
                }
            }
        }
        boolean interrupted = false;
        for (java.util.concurrent.Future<?> f : running) {
            while (true) { // a stop interrupts this thread: the forces under way still decide the batch's outcome
                try {
                    f.get();
                    break;
                } catch (java.util.concurrent.ExecutionException e) {
                    failure = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return failure;
    }

    private static ThreadFactory daemon() {
        return r -> {
            Thread t = new Thread(r, "topaz-queue-engine");
            t.setDaemon(true);
            return t;
        };
    }
}

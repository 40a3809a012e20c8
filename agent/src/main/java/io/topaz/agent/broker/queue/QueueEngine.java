package io.topaz.agent.broker.queue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.topaz.agent.broker.BrokerException;
import io.topaz.agent.broker.BrokerMessage;
import io.topaz.agent.broker.ConfirmOutcome;
import io.topaz.agent.broker.DeadLetterQuery;
import io.topaz.agent.broker.Delivery;
import io.topaz.agent.broker.LocalQueues;
import io.topaz.agent.broker.QueueName;
import io.topaz.agent.broker.QueueStats;
import io.topaz.agent.broker.store.ConsumeQueue;
import io.topaz.agent.broker.store.Durability;
import io.topaz.agent.broker.store.LogStore;
import io.topaz.agent.broker.store.MessageLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;

import static io.topaz.agent.broker.queue.QueueCommitter.failed;

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
 *
 * <p>The work is split among package-private collaborators sharing an {@link EngineContext} (the lock included):
 * {@link QueueTable} (the queues, their recovery), {@link QueueCommitter} (entries' durability, group commit),
 * {@link StateWriter} (queue states), {@link Dispatcher} (consume, confirm), {@link DeadLettering},
 * {@link Reclaimer}, {@link RecordReader} (reading messages back) and {@link QueueViews} (stats, backlog).
 */
public final class QueueEngine implements LocalQueues {

    private static final Logger log = LoggerFactory.getLogger(QueueEngine.class);

    static final String MAX_ATTEMPTS = "MAX_ATTEMPTS";
    static final String RETENTION = "RETENTION";
    static final String BACKLOG_CAP = "BACKLOG_CAP";
    private static final int FORCE_THREADS = 8;

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

    private final Path dir;
    private final Options options;
    private final MessageLog messages;
    private final LogStore state;
    private final EngineContext ctx;
    private final Object mutex;
    private final QueueTable queues;
    private final QueueCommitter committer;
    private final StateWriter writer;
    private final DeadLettering deadLetters;
    private final Dispatcher dispatcher;
    private final Reclaimer reclaimer;
    private final QueueViews views;
    private final ScheduledExecutorService executor;

    private QueueEngine(Path dir, Options options, Clock clock, MeterRegistry registry,
                        ToLongFunction<String> backlogCapOf) {
        this.dir = dir;
        Path queuesDir = dir.resolve("queues");
        this.options = options;
        Timer latency = Timer.builder("topaz.broker.delivery.latency")
                .description("from a message's publish time to its first delivery").publishPercentileHistogram()
                .register(registry);
        Counter corrupt = Counter.builder("topaz.broker.corrupt")
                .description("queue entries whose message could not be read back (skipped)").register(registry);
        Counter missing = Counter.builder("topaz.broker.missing")
                .description("queue entries whose log segment was already reclaimed (done before a crash)")
                .register(registry);
        try {
            Files.createDirectories(queuesDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + queuesDir, e);
        }
        this.messages = MessageLog.open(dir.resolve("log"), options.store(), clock, registry);
        DeadLetterIndex deadLetterIndex = new DeadLetterIndex();
        RecordReader reader;
        LogStore st = null;
        try {
            st = LogStore.open(dir.resolve("state"), new LogStore.Options(Math.min(options.segmentBytes(),
                    16 * 1024 * 1024), options.durability(), options.groupCommitInterval(), options.maxWaitingAppends()),
                    clock, registry);
            this.state = st;
            this.ctx = new EngineContext(dir, options, clock, registry, messages, st);
            reader = new RecordReader(dir, messages, corrupt, missing);
            this.queues = new QueueTable(ctx, queuesDir, reader);
            queues.load();
            DeadLettering.load(st, deadLetterIndex);
        } catch (RuntimeException e) {
            messages.close();
            if (st != null) {
                st.close();
            }
            throw e;
        }
        this.mutex = ctx.mutex;
        this.executor = Executors.newScheduledThreadPool(2, daemon());
        this.committer = new QueueCommitter(ctx, Executors.newFixedThreadPool(FORCE_THREADS, daemon()));
        this.writer = new StateWriter(ctx, queues);
        this.deadLetters = new DeadLettering(ctx, backlogCapOf, deadLetterIndex, queues, reader, committer, writer);
        this.dispatcher = new Dispatcher(ctx, queues, reader, deadLetters, writer, latency);
        this.reclaimer = new Reclaimer(ctx, queues, reader, committer, writer, dispatcher, deadLetters);
        this.views = new QueueViews(ctx, queues, reader, deadLetters);
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
            if (ctx.closed) {
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
                    QueueState q = queues.queueOrCreate(name);
                    indexes[qs.size()] = committer.appendRef(q, a.position(), a.size(), 0, message.id());
                    qs.add(q);
                }
            } catch (RuntimeException e) {
                log.error("message store {}: cannot append message {} to its queues", dir, message.id(), e);
                return failed(e);
            }
            CompletableFuture<Void> done = committer.await(a.durable(), qs, indexes);
            Set<String> apps = new LinkedHashSet<>();
            targets.forEach(t -> apps.add(t.appKey()));
            for (String app : apps) {
                deadLetters.enforceBacklogCap(app);
            }
            return done;
        }
    }

    /** The group commit of the queue files: forces those written to, then completes the appends they cover. */
    void commitQueues() {
        committer.commitQueues();
    }

    private void commitQueuesQuietly() {
        try {
            commitQueues();
        } catch (RuntimeException e) {
            log.error("message store {}: queue commit failed", dir, e);
        }
    }

    // ---------------------------------------------------------------------------------- consume, confirm

    @Override
    public List<Delivery> consume(QueueName queue, int max) {
        return dispatcher.consume(queue, max);
    }

    @Override
    public ConfirmOutcome confirm(QueueName queue, long[] confirmedIds, long[] failedIds) {
        return dispatcher.confirm(queue, confirmedIds, failedIds);
    }

    // ----------------------------------------------------------------------------------------- reclamation

    /**
     * One reclamation: dead-letters expired messages, carries long-held in-flight references forward, purges old
     * dead letters, then (once the copies are durable) deletes the log segments nothing refers into and the queue
     * chunks below their confirm positions.
     */
    ReclaimReport reclaim() {
        return reclaimer.reclaim();
    }

    private void reclaimQuietly() {
        try {
            reclaim();
        } catch (RuntimeException e) {
            log.error("message store {}: reclamation failed; the next one tries again", dir, e);
        }
    }

    // ------------------------------------------------------------------------------------------ queries

    @Override
    public Set<QueueName> queues() {
        return views.queues();
    }

    @Override
    public List<QueueStats> stats() {
        return views.stats();
    }

    @Override
    public Backlog backlog(QueueName queue, long fromPosition, int max) {
        return views.backlog(queue, fromPosition, max);
    }

    @Override
    public CompletableFuture<Void> release(QueueName queue) {
        return queues.release(queue, committer);
    }

    // ------------------------------------------------------------------------------------- dead letters

    @Override
    public DeadLetterQuery.Page deadLetters(DeadLetterQuery query) {
        return deadLetters.query(query);
    }

    @Override
    public int replay(String appKey, Collection<Long> ids) {
        return deadLetters.replay(appKey, ids);
    }

    @Override
    public int purge(String appKey, Collection<Long> ids) {
        return deadLetters.purge(appKey, ids);
    }

    // ------------------------------------------------------------------------------- test and admin hooks

    /** The in-memory entries of a queue (tests: memory does not grow with the backlog). */
    Footprint footprint(QueueName queue) {
        return views.footprint(queue);
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
        return views.queueChunks(queue);
    }

    // ------------------------------------------------------------------------------------------ close

    /** Stops, persisting every queue's state: no confirmed message is delivered again after a reopen. */
    @Override
    public void close() {
        if (ctx.closed) {
            return;
        }
        stopThreads();
        synchronized (mutex) {
            ctx.closed = true;
        }
        messages.commit();
        commitQueues();
        List<CompletableFuture<?>> writes = new ArrayList<>(writer.tracked());
        try {
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("message store {}: dead letters or copies not durable at close ({})", dir, e.toString());
        }
        synchronized (mutex) {
            for (QueueState q : queues.all()) {
                writer.persist(q);
            }
            closeFiles();
        }
    }

    /** A crash, for tests: stops without writing anything more (what reached the page cache stays). */
    void abandon() {
        if (ctx.closed) {
            return;
        }
        stopThreads();
        synchronized (mutex) {
            ctx.closed = true;
            closeFiles();
        }
    }

    private void stopThreads() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(30, TimeUnit.SECONDS);
            committer.stopForces();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeFiles() {
        state.close();
        messages.close();
        queues.closeFiles();
    }

    private static ThreadFactory daemon() {
        return r -> {
            Thread t = new Thread(r, "topaz-queue-engine");
            t.setDaemon(true);
            return t;
        };
    }
}

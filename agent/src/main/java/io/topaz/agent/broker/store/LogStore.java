package io.topaz.agent.broker.store;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A Bitcask-style log store (Sheehy and Smith, 2010): append-only segment files written through memory mappings, an
 * in-memory key directory pointing at each key's newest record, tombstones for deletes. This class is the API and
 * the wiring; the jobs live in {@link Segments}, {@link KeyDirectory}, {@link Recovery}, {@link Compactor} and
 * {@link GroupCommit}, and every file access goes through {@link Storage}.
 *
 * <p>Appends are serialized; reads take no lock. What an append's future promises depends on the store's
 * {@link Durability}: on disk ({@code SYNC_EACH}, {@code GROUP_COMMIT}) or in the page cache ({@code OS}). Under
 * group commit at most {@link Options#maxWaitingAppends()} appends wait for the disk; past that an append's future
 * fails at once with {@link StoreOverloadedException}. No corrupt record is ever returned as data.
 *
 * <p>Lifecycle {@code STARTED → CLOSED} ({@link #open} recovers, see {@link Recovery}); {@link #close()} may be
 * called more than once.
 */
public final class LogStore implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(LogStore.class);

    /**
     * Settings: segment size, durability, how often a group commit forces the log (the interval from the start of one
     * force to the start of the next, or at once after a force that took longer), and how many appends may wait for
     * it before appends are refused.
     */
    public record Options(int segmentBytes, Durability durability, Duration groupCommitInterval, int maxWaitingAppends) {

        public static final int DEFAULT_MAX_WAITING_APPENDS = 65_536;

        public Options {
            if (segmentBytes < 1024 || segmentBytes > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("segmentBytes must be 1 KiB to 2 GiB, was " + segmentBytes);
            }
            if (maxWaitingAppends < 1) {
                throw new IllegalArgumentException("maxWaitingAppends must be > 0, was " + maxWaitingAppends);
            }
        }

        public Options(int segmentBytes, Durability durability, Duration groupCommitInterval) {
            this(segmentBytes, durability, groupCommitInterval, DEFAULT_MAX_WAITING_APPENDS);
        }

        public static Options defaults() {
            return new Options(64 * 1024 * 1024, Durability.GROUP_COMMIT, Duration.ofMillis(2));
        }
    }

    /** What a merge did. */
    public record MergeReport(int inputs, int outputs, long bytesBefore, long bytesAfter, int recordsMoved) {
    }

    private enum State { STARTED, CLOSED }

    private final AtomicReference<State> state = new AtomicReference<>(State.STARTED);
    private final Storage storage;
    private final Path dir;
    private final Options options;
    private final Clock clock;
    private final StoreMetrics metrics;
    private final KeyDirectory keys = new KeyDirectory();
    private final Segments segments;
    private final Compactor compactor;
    private final Object appendLock = new Object();
    private final GroupCommit groupCommit;
    private final ExecutorService hintWriter = Executors.newSingleThreadExecutor(daemon("topaz-store-hints"));
    private final int hintsRead;
    private ScheduledExecutorService committer;
    private ScheduledExecutorService merger;

    private LogStore(Storage storage, Path dir, Options options, Clock clock, MeterRegistry registry) {
        this.storage = storage;
        this.dir = dir;
        this.options = options;
        this.clock = clock;
        this.metrics = StoreMetrics.register(registry);
        this.segments = new Segments(storage, dir, options.segmentBytes());
        this.compactor = new Compactor(storage, dir, options.segmentBytes(), segments, keys, metrics.mergeRuns(),
                metrics.mergeAborts());
        this.groupCommit = new GroupCommit(dir, appendLock, segments::active, options.maxWaitingAppends(),
                metrics.syncs());
        long began = System.nanoTime();
        this.hintsRead = new Recovery(storage, dir, options.segmentBytes(), metrics.corruptions()).recover(keys, segments);
        metrics.recovery().record(Duration.ofNanos(System.nanoTime() - began));
        log.info("log store {}: {} keys in {} segments ({} read from hints), recovered in {} ms", dir, keys.size(),
                segments.count(), hintsRead, (System.nanoTime() - began) / 1_000_000);
        Gauge.builder("topaz.store.live.bytes", keys, KeyDirectory::liveBytes).strongReference(true)
                .description("bytes of the newest record of each key").register(registry);
        Gauge.builder("topaz.store.dead.bytes", this, s -> s.segments.writtenBytes() - s.keys.liveBytes())
                .strongReference(true).description("bytes a merge would reclaim").register(registry);
    }

    /** Opens (recovering) or creates the store in {@code dir}. */
    public static LogStore open(Path dir, Options options, Clock clock, MeterRegistry registry) {
        return open(new FileStorage(), dir, options, clock, registry);
    }

    /** As {@link #open(Path, Options, Clock, MeterRegistry)}, on the given storage (tests: one that loses power). */
    static LogStore open(Storage storage, Path dir, Options options, Clock clock, MeterRegistry registry) {
        LogStore s = new LogStore(storage, dir, options, clock, registry);
        if (options.durability() == Durability.GROUP_COMMIT) {
            s.committer = Executors.newSingleThreadScheduledExecutor(daemon("topaz-store-commit"));
            // At a fixed rate, start to start: a force that takes longer than the interval is followed at once by
            // the next, for the appends that arrived meanwhile. With a fixed delay the log sat idle for a whole
            // interval after every force while those appends waited, which cost a quarter of the appends' throughput
            // (docs/benchmarks.md). Runs never overlap: a late one starts when the previous one returns.
            long every = Math.max(1, options.groupCommitInterval().toNanos());
            s.committer.scheduleAtFixedRate(s.groupCommit::commit, every, every, TimeUnit.NANOSECONDS);
        }
        return s;
    }

    /**
     * Appends {@code value} under {@code key}. The future completes, with the promise kept, when the record is as
     * durable as this store promises: {@link Durability#SYNC_EACH} or {@link Durability#GROUP_COMMIT} — on disk;
     * {@link Durability#OS} — in the page cache only. It fails with {@link StoreOverloadedException} when too many
     * appends wait for a group commit, and with the I/O error when the record could not be written or forced.
     * Never waits for a group commit on the calling thread ({@code SYNC_EACH} forces on it).
     */
    public CompletableFuture<Durability> put(String key, byte[] value) {
        return append(key, value);
    }

    /** Writes a tombstone: {@code key} reads as absent from now on. Completes like {@link #put}. */
    public CompletableFuture<Durability> delete(String key) {
        return append(key, null);
    }

    /** The value stored under {@code key}, or empty. Throws {@link CorruptRecordException} for a corrupt record. */
    public Optional<byte[]> get(String key) {
        requireStarted();
        Location loc = keys.get(key);
        SegmentFile seg = loc == null ? null : segments.get(loc.segment());
        for (int tries = 0; loc != null && seg == null && tries < 10; tries++) {
            loc = keys.get(key); // a merge moved the record meanwhile
            seg = loc == null ? null : segments.get(loc.segment());
        }
        if (loc == null) {
            return Optional.empty();
        }
        if (seg == null) {
            throw new IllegalStateException("segment " + loc.segment() + " of '" + key + "' is gone");
        }
        RecordCodec.Read r = seg.read(loc.offset());
        if (r instanceof RecordCodec.Ok ok && Arrays.equals(ok.record().key(), key.getBytes(StandardCharsets.UTF_8))) {
            return Optional.ofNullable(ok.record().value());
        }
        metrics.corruptions().increment();
        String why = r instanceof RecordCodec.Ok ok
                ? "it holds another key, '" + new String(ok.record().key(), StandardCharsets.UTF_8) + "'"
                : r instanceof RecordCodec.Corrupt c ? c.why() : "missing";
        throw new CorruptRecordException("record of '" + key + "' in segment " + loc.segment() + " at byte "
                + loc.offset() + " is corrupt: " + why);
    }

    /**
     * Rewrites the live records of every sealed segment into new segments and deletes the old ones, while writers
     * and readers go on; see {@link Compactor} for the steps and why each is crash-safe. Throws when the merge was
     * aborted; the store is unchanged then, and a later merge tries again.
     */
    public MergeReport merge() {
        requireStarted();
        java.util.List<SegmentFile> inputs;
        synchronized (appendLock) {
            inputs = segments.sealed();
        }
        return compactor.merge(inputs);
    }

    /**
     * Merges in the background every {@code every} when dead records make up at least {@code minDeadShare} of the
     * segments' bytes. Failures are logged; the next run tries again.
     */
    public void mergeInBackground(Duration every, double minDeadShare) {
        requireStarted();
        synchronized (this) {
            if (merger != null) {
                throw new IllegalStateException("background merging already scheduled");
            }
            merger = Executors.newSingleThreadScheduledExecutor(daemon("topaz-store-merge"));
        }
        merger.scheduleWithFixedDelay(() -> {
            try {
                long total = segments.writtenBytes();
                if (total > 0 && (total - keys.liveBytes()) / (double) total >= minDeadShare) {
                    merge();
                }
            } catch (RuntimeException e) {
                log.warn("log store {}: background merge failed, will try again: {}", dir, e.toString());
            }
        }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The live keys starting with {@code prefix}, a snapshot in no particular order (one pass over the key
     * directory: for start-up and administration, not for a hot path).
     */
    public java.util.List<String> keys(String prefix) {
        requireStarted();
        return keys.keysStartingWith(prefix);
    }

    /** How many segments the last start-up read from hint files. */
    public int hintsRead() {
        return hintsRead;
    }

    /** The number of live keys. */
    public int size() {
        return keys.size();
    }

    public Durability durability() {
        return options.durability();
    }

    private CompletableFuture<Durability> append(String key, byte[] value) {
        requireStarted();
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        if (k.length == 0 || k.length > RecordCodec.MAX_KEY) {
            throw new IllegalArgumentException("key must be 1 to " + RecordCodec.MAX_KEY + " bytes, was " + k.length);
        }
        if (value != null && value.length > RecordCodec.MAX_VALUE) {
            throw new IllegalArgumentException("value must be at most " + RecordCodec.MAX_VALUE + " bytes");
        }
        int size = RecordCodec.size(k, value);
        if (size > options.segmentBytes()) {
            throw new IllegalArgumentException("a record of " + size + " bytes does not fit a segment of "
                    + options.segmentBytes());
        }
        synchronized (appendLock) {
            boolean grouped = options.durability() == Durability.GROUP_COMMIT;
            if (grouped && !groupCommit.hasRoom()) {
                metrics.overloaded().increment();
                return CompletableFuture.failedFuture(groupCommit.overloaded());
            }
            try {
                SegmentFile active = segments.active();
                if (!active.fits(size)) {
                    SegmentFile sealed = segments.roll();
                    hintWriter.execute(() -> writeHint(sealed));
                    active = segments.active();
                }
                long ts = clock.millis();
                int offset = active.append(ts, k, value);
                if (value == null) {
                    keys.remove(key);
                } else {
                    keys.put(key, new Location(active.id(), offset, size, ts));
                }
                metrics.appends().increment();
                metrics.appendedBytes().increment(size);
                switch (options.durability()) {
                    case SYNC_EACH -> {
                        active.force();
                        metrics.syncs().increment();
                        return CompletableFuture.completedFuture(Durability.SYNC_EACH);
                    }
                    case GROUP_COMMIT -> {
                        return groupCommit.await();
                    }
                    default -> {
                        return CompletableFuture.completedFuture(Durability.OS);
                    }
                }
            } catch (RuntimeException e) { // an I/O failure: the record is not (known to be) durable
                return CompletableFuture.failedFuture(e);
            }
        }
    }

    /** Off the append path: a missing hint only means that the next start-up scans the segment. */
    private void writeHint(SegmentFile sealed) {
        try {
            HintFile.write(storage, dir, sealed);
        } catch (RuntimeException e) {
            log.warn("log store {}: no hint for segment {} ({}); start-up will scan it", dir, sealed.id(),
                    e.getMessage());
        }
    }

    private void requireStarted() {
        if (state.get() != State.STARTED) {
            throw new IllegalStateException("the log store is " + state.get().name().toLowerCase());
        }
    }

    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) != State.STARTED) {
            return;
        }
        if (committer != null) {
            committer.shutdownNow();
        }
        if (merger != null) {
            merger.shutdownNow();
        }
        synchronized (compactor) { } // waits for a merge in progress to finish
        hintWriter.shutdown();
        try {
            hintWriter.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        groupCommit.commit(); // the last batch: forced, or failed with the error
        segments.closeAll();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}

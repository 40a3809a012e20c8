package io.topaz.agent.broker.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * A Bitcask-style log store (Sheehy and Smith, 2010): append-only segment files written through memory mappings, an
 * in-memory key directory pointing at each key's newest record, tombstones for deletes.
 *
 * <p>Appends are serialized; reads take no lock. What an append's future promises depends on the store's
 * {@link Durability}: on disk ({@code SYNC_EACH}, {@code GROUP_COMMIT}) or in the page cache ({@code OS}).
 *
 * <p>On open the segments are scanned in order: every record's CRC is checked; a torn or corrupt tail of the newest
 * segment is truncated, and a corrupt record inside an older one ends that segment's scan; both are logged and
 * counted, and no corrupt record is ever returned as data. Lifecycle {@code LATENT → STARTED → CLOSED}; {@link #close()}
 * may be called more than once.
 *
 * <p>When a segment is sealed a hint file is written beside it, so start-up reads hints instead of every record.
 * {@link #merge()} rewrites the live records of sealed segments and drops the dead, without stopping writers or
 * readers, crash-safe at every step.
 */
public final class LogStore implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(LogStore.class);

    /** Where a key's newest record is. */
    record Location(long segment, int offset, int size, long timestamp) {
    }

    /** Settings: segment size, durability and how often a group commit forces the log. */
    public record Options(int segmentBytes, Durability durability, Duration groupCommitInterval) {
        public Options {
            if (segmentBytes < 1024 || segmentBytes > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("segmentBytes must be 1 KiB to 2 GiB, was " + segmentBytes);
            }
        }

        public static Options defaults() {
            return new Options(64 * 1024 * 1024, Durability.GROUP_COMMIT, Duration.ofMillis(2));
        }
    }

    private enum State { LATENT, STARTED, CLOSED }

    /**
     * Segment ids: appends roll to the next multiple of 1000; a merge writes its outputs just above its newest input
     * (input + 1, + 2, …), so outputs sort after everything they replace and before the active segment, and never
     * reuse an id a reader may still hold.
     */
    static final long ID_STEP = 1000;

    static long nextMajor(long id) {
        return (id / ID_STEP + 1) * ID_STEP;
    }

    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final Path dir;
    private final Options options;
    private final Clock clock;
    private final Map<String, Location> keyDir = new ConcurrentHashMap<>();
    private final Map<Long, SegmentFile> segments = new ConcurrentHashMap<>();
    private final Object appendLock = new Object();
    private final Counter appends;
    private final Counter appendedBytes;
    private final Counter syncs;
    private final Counter corruptions;
    private final Timer recovery;
    private final Counter mergeRuns;
    private SegmentFile active;
    private int hintsRead;
    private final java.util.concurrent.ExecutorService hintWriter = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "topaz-store-hints");
        t.setDaemon(true);
        return t;
    });
    private List<CompletableFuture<Durability>> waitingForSync = new ArrayList<>();
    private ScheduledExecutorService merger;
    private ScheduledExecutorService committer;

    private LogStore(Path dir, Options options, Clock clock, MeterRegistry registry) {
        this.dir = dir;
        this.options = options;
        this.clock = clock;
        this.appends = Counter.builder("topaz.store.appends").register(registry);
        this.appendedBytes = Counter.builder("topaz.store.appended.bytes").register(registry);
        this.syncs = Counter.builder("topaz.store.syncs").description("forces of the log to disk").register(registry);
        this.corruptions = Counter.builder("topaz.store.corrupt.records")
                .description("records found corrupt on recovery or read; never returned").register(registry);
        this.recovery = Timer.builder("topaz.store.recovery").register(registry);
        this.mergeRuns = Counter.builder("topaz.store.merge.runs").register(registry);
        io.micrometer.core.instrument.Gauge.builder("topaz.store.live.bytes", this,
                s -> s.keyDir.values().stream().mapToLong(Location::size).sum()).strongReference(true)
                .description("bytes of the newest record of each key").register(registry);
        io.micrometer.core.instrument.Gauge.builder("topaz.store.dead.bytes", this,
                s -> s.segments.values().stream().mapToLong(SegmentFile::written).sum()
                        - s.keyDir.values().stream().mapToLong(Location::size).sum()).strongReference(true)
                .description("bytes a merge would reclaim").register(registry);
    }

    /** Opens (recovering) or creates the store in {@code dir}. */
    public static LogStore open(Path dir, Options options, Clock clock, MeterRegistry registry) {
        LogStore s = new LogStore(dir, options, clock, registry);
        s.start();
        return s;
    }

    private void start() {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("already started");
        }
        long began = System.nanoTime();
        try {
            Files.createDirectories(dir);
            try (Stream<Path> leftovers = Files.list(dir)) {
                for (Path p : leftovers.filter(p -> p.toString().endsWith(".tmp")).toList()) {
                    log.warn("log store {}: removing {}, left by an interrupted merge or hint write", dir, p.getFileName());
                    Files.delete(p);
                }
            }
            List<Long> ids = segmentIds();
            for (int i = 0; i < ids.size(); i++) {
                recoverSegment(ids.get(i), i == ids.size() - 1);
            }
            if (active == null) {
                active = SegmentFile.create(dir, ids.isEmpty() ? ID_STEP : nextMajor(ids.get(ids.size() - 1)),
                        options.segmentBytes());
                segments.put(active.id(), active);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the log store in " + dir, e);
        }
        recovery.record(Duration.ofNanos(System.nanoTime() - began));
        log.info("log store {}: {} keys in {} segments ({} read from hints), recovered in {} ms", dir, keyDir.size(),
                segments.size(), hintsRead, (System.nanoTime() - began) / 1_000_000);
        if (options.durability() == Durability.GROUP_COMMIT) {
            committer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "topaz-store-commit");
                t.setDaemon(true);
                return t;
            });
            long every = Math.max(1, options.groupCommitInterval().toNanos());
            committer.scheduleWithFixedDelay(this::groupCommit, every, every, TimeUnit.NANOSECONDS);
        }
    }

    private List<Long> segmentIds() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d{16}\\.data"))
                    .map(n -> Long.parseLong(n.substring(0, 16))).sorted().toList();
        }
    }

    private void recoverSegment(long id, boolean newest) throws IOException {
        Path path = SegmentFile.pathOf(dir, id);
        long size = Files.size(path);
        if (!newest && HintFile.read(dir, id, (key, offset, recordSize, ts, tombstone) -> {
            if (tombstone) {
                keyDir.remove(key);
            } else {
                keyDir.put(key, new Location(id, offset, recordSize, ts));
            }
        })) {
            segments.put(id, SegmentFile.open(path, id, (int) size, (int) size, false));
            hintsRead++;
            return;
        }
        // The newest segment continues as the active one when it has room: map it at full capacity.
        boolean reuse = newest && size <= options.segmentBytes();
        SegmentFile seg = SegmentFile.open(path, id, reuse ? options.segmentBytes() : (int) size, 0, reuse);
        int offset = 0;
        while (true) {
            RecordCodec.Read r = seg.readForRecovery(offset);
            if (r instanceof RecordCodec.Ok ok) {
                String key = new String(ok.record().key(), StandardCharsets.UTF_8);
                if (ok.record().value() == null) {
                    keyDir.remove(key);
                } else {
                    keyDir.put(key, new Location(id, offset, ok.record().size(), ok.record().timestamp()));
                }
                offset += ok.record().size();
            } else if (r instanceof RecordCodec.Corrupt c) {
                corruptions.increment();
                if (newest && reuse) {
                    log.warn("log store {}: segment {} has a torn or corrupt tail at byte {} ({}); dropping {} bytes",
                            dir, id, offset, c.why(), Math.max(0, size - offset));
                    zeroTail(seg, offset);
                } else {
                    log.error("log store {}: segment {} is corrupt at byte {} ({}); the records after it in this "
                            + "segment are not read", dir, id, offset, c.why());
                }
                break;
            } else {
                break;
            }
        }
        seg.setWritten(offset);
        segments.put(id, seg);
        if (reuse) {
            active = seg;
        }
    }

    /** Cuts a torn tail off the file; the active mapping is re-created at full capacity (zeros) after it. */
    private static void zeroTail(SegmentFile seg, int from) {
        seg.zeroFrom(from);
    }

    /**
     * Appends {@code value} under {@code key}. The future completes, with the promise kept, when the record is as
     * durable as this store promises: {@link Durability#SYNC_EACH} or {@link Durability#GROUP_COMMIT} — on disk;
     * {@link Durability#OS} — in the page cache only.
     */
    public CompletableFuture<Durability> put(String key, byte[] value) {
        return append(key, value);
    }

    /** Writes a tombstone: {@code key} reads as absent from now on. Completes like {@link #put}. */
    public CompletableFuture<Durability> delete(String key) {
        return append(key, null);
    }

    /**
     * Merges in the background every {@code every} when dead records make up at least {@code minDeadShare} of the
     * sealed segments' bytes. Failures are logged; the next run tries again.
     */
    public void mergeInBackground(Duration every, double minDeadShare) {
        requireStarted();
        synchronized (this) {
            if (merger != null) {
                throw new IllegalStateException("background merging already scheduled");
            }
            merger = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "topaz-store-merge");
                t.setDaemon(true);
                return t;
            });
        }
        merger.scheduleWithFixedDelay(() -> {
            try {
                long total = segments.values().stream().mapToLong(SegmentFile::written).sum();
                long live = keyDir.values().stream().mapToLong(Location::size).sum();
                if (total > 0 && (total - live) / (double) total >= minDeadShare) {
                    merge();
                }
            } catch (RuntimeException e) {
                log.warn("log store {}: background merge failed, will try again: {}", dir, e.toString());
            }
        }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
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
        CompletableFuture<Durability> done = new CompletableFuture<>();
        synchronized (appendLock) {
            if (!active.fits(size)) {
                roll();
            }
            long ts = clock.millis();
            int offset = active.append(ts, k, value);
            if (value == null) {
                keyDir.remove(key);
            } else {
                keyDir.put(key, new Location(active.id(), offset, size, ts));
            }
            appends.increment();
            appendedBytes.increment(size);
            switch (options.durability()) {
                case SYNC_EACH -> {
                    active.force();
                    syncs.increment();
                    done.complete(Durability.SYNC_EACH);
                }
                case GROUP_COMMIT -> waitingForSync.add(done);
                case OS -> done.complete(Durability.OS);
            }
        }
        return done;
    }

    /** Seals the active segment and starts the next one. Called under the append lock. */
    private void roll() {
        SegmentFile old = active;
        old.seal(); // forces it: records waiting for a group commit in it are on disk once the next commit runs
        active = SegmentFile.create(dir, nextMajor(old.id()), options.segmentBytes());
        segments.put(active.id(), active);
        // Off the append path: a missing hint only means that the next start-up scans this segment.
        hintWriter.execute(() -> {
            try {
                HintFile.writeFor(old, dir);
            } catch (RuntimeException e) {
                log.warn("log store {}: no hint for segment {} ({}); start-up will scan it", dir, old.id(), e.getMessage());
            }
        });
    }

    private void groupCommit() {
        List<CompletableFuture<Durability>> batch;
        SegmentFile seg;
        synchronized (appendLock) {
            if (waitingForSync.isEmpty()) {
                return;
            }
            batch = waitingForSync;
            waitingForSync = new ArrayList<>();
            seg = active;
        }
        try {
            seg.force(); // every record in the batch is in this segment or in one sealed (forced) before it
            syncs.increment();
            batch.forEach(f -> f.complete(Durability.GROUP_COMMIT));
        } catch (RuntimeException e) {
            log.error("log store {}: forcing the log failed; {} appends are not durable", dir, batch.size(), e);
            batch.forEach(f -> f.completeExceptionally(e));
        }
    }

    /** The value stored under {@code key}, or empty. Throws {@link CorruptRecordException} for a corrupt record. */
    public Optional<byte[]> get(String key) {
        requireStarted();
        Location loc = keyDir.get(key);
        SegmentFile seg = loc == null ? null : segments.get(loc.segment());
        for (int tries = 0; loc != null && seg == null && tries < 10; tries++) {
            loc = keyDir.get(key); // a merge moved the record meanwhile
            seg = loc == null ? null : segments.get(loc.segment());
        }
        if (loc == null) {
            return Optional.empty();
        }
        if (seg == null) {
            throw new IllegalStateException("segment " + loc.segment() + " of '" + key + "' is gone");
        }
        RecordCodec.Read r = seg.read(loc.offset());
        if (r instanceof RecordCodec.Ok ok) {
            return Optional.ofNullable(ok.record().value());
        }
        corruptions.increment();
        throw new CorruptRecordException("record of '" + key + "' in segment " + loc.segment() + " at byte "
                + loc.offset() + " is corrupt: " + (r instanceof RecordCodec.Corrupt c ? c.why() : "missing"));
    }

    /** A step of a merge, for tests that stop it there as a crash would. */
    java.util.function.Consumer<String> mergeStep = step -> { };

    /** What a merge did. */
    public record MergeReport(int inputs, int outputs, long bytesBefore, long bytesAfter, int recordsMoved) {
    }

    /**
     * Rewrites the live records of every sealed segment into new segments and deletes the old ones. Writers and
     * readers go on meanwhile. Crash-safe at every step: outputs are written under temporary names, forced, renamed;
     * only then are inputs deleted, oldest first, so whatever a crash leaves is consistent (a deleted key never comes
     * back: its tombstone outlives the older values it hides).
     */
    public synchronized MergeReport merge() {
        requireStarted();
        List<SegmentFile> inputs;
        synchronized (appendLock) {
            long activeId = active.id();
            inputs = segments.values().stream().filter(seg -> seg.id() < activeId)
                    .sorted(Comparator.comparingLong(SegmentFile::id)).toList();
        }
        if (inputs.isEmpty()) {
            return new MergeReport(0, 0, 0, 0, 0);
        }
        long before = inputs.stream().mapToLong(SegmentFile::written).sum();
        long nextId = inputs.get(inputs.size() - 1).id() + 1;
        List<Object[]> moved = new ArrayList<>(); // key, old location, new location
        List<SegmentFile> outputs = new ArrayList<>();
        SegmentFile out = null;
        for (SegmentFile in : inputs) {
            int offset = 0;
            while (in.read(offset) instanceof RecordCodec.Ok ok) {
                RecordCodec.Decoded rec = ok.record();
                String key = new String(rec.key(), StandardCharsets.UTF_8);
                Location cur = keyDir.get(key);
                if (rec.value() != null && cur != null && cur.segment() == in.id() && cur.offset() == offset) {
                    if (out == null || !out.fits(rec.size())) {
                        if (out != null) {
                            finishOutput(out, outputs);
                        }
                        if (nextId % ID_STEP == 0) {
                            throw new IllegalStateException("a merge of " + inputs.size() + " segments needs more than "
                                    + (ID_STEP - 1) + " outputs; merge more often");
                        }
                        out = SegmentFile.createAt(dir.resolve(SegmentFile.pathOf(dir, nextId).getFileName() + ".tmp"),
                                nextId, options.segmentBytes());
                        nextId++;
                    }
                    int newOffset = out.append(rec.timestamp(), rec.key(), rec.value());
                    moved.add(new Object[] {key, cur, new Location(out.id(), newOffset, rec.size(), rec.timestamp())});
                }
                offset += rec.size();
            }
        }
        if (out != null) {
            finishOutput(out, outputs);
        }
        mergeStep.accept("outputs-written");
        syncDir();
        for (SegmentFile o : outputs) {
            segments.put(o.id(), o);
        }
        for (Object[] m : moved) {
            keyDir.replace((String) m[0], (Location) m[1], (Location) m[2]); // unless a newer put or delete came
        }
        int n = 0;
        for (SegmentFile in : inputs) { // oldest first: see the method comment
            segments.remove(in.id());
            mergeStep.accept("deleting-input-" + n++);
            try {
                Files.deleteIfExists(HintFile.pathOf(dir, in.id()));
                Files.delete(in.path());
                in.close(); // a reader still holding its mapping keeps reading it: unmapping waits for the collector
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete merged segment " + in.path(), e);
            }
        }
        syncDir();
        long after = outputs.stream().mapToLong(SegmentFile::written).sum();
        mergeRuns.increment();
        log.info("log store {}: merged {} segments ({} bytes) into {} ({} bytes)", dir, inputs.size(), before,
                outputs.size(), after);
        return new MergeReport(inputs.size(), outputs.size(), before, after, moved.size());
    }

    /** Seals a merge output, writes its hint and gives it its real name. */
    private void finishOutput(SegmentFile out, List<SegmentFile> outputs) {
        out.seal();
        out.close();
        Path tmp = out.path();
        Path real = SegmentFile.pathOf(dir, out.id());
        mergeStep.accept("output-sealed");
        try {
            Files.move(tmp, real, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rename merge output " + tmp, e);
        }
        SegmentFile sealed = SegmentFile.open(real, out.id(), out.written(), out.written(), false);
        HintFile.writeFor(sealed, dir);
        outputs.add(sealed);
    }

    private void syncDir() {
        try (java.nio.channels.FileChannel d = java.nio.channels.FileChannel.open(dir, java.nio.file.StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot sync " + dir, e);
        }
    }

    /** How many segments the last start-up read from hint files. */
    public int hintsRead() {
        return hintsRead;
    }

    public int size() {
        return keyDir.size();
    }

    public Durability durability() {
        return options.durability();
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
        synchronized (this) { } // waits for a merge in progress to finish
        hintWriter.shutdown();
        try {
            hintWriter.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (appendLock) {
            active.force();
            waitingForSync.forEach(f -> f.complete(Durability.GROUP_COMMIT));
            waitingForSync.clear();
        }
        segments.values().forEach(SegmentFile::close);
    }
}

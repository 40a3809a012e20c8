package io.topaz.agent.broker.store;

import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The broker's message log: each message appended once, as one record of the log store's format (CRC-checked, key =
 * the 8-byte message id), to the same segment files as {@link LogStore} — pwrite appends, mmapped reads, group commit
 * — but addressed by its <em>position</em> (segment id and byte offset) instead of through a key directory, so memory
 * does not grow with the number of messages (RocketMQ's CommitLog; a Bitcask key directory grows with every key).
 *
 * <p>Start-up ({@link Recovery#recoverLog}) scans only the newest segment: a torn tail is cut, damage in the middle
 * skipped. Sealed segments are mapped as they are; a record damaged there fails its CRC when read
 * ({@link CorruptRecordException}) and only that record is lost. Space comes back only by deleting whole segments,
 * oldest first ({@link #deleteSegmentsBelow}), which the owner does once nothing refers into them.
 */
public final class MessageLog implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(MessageLog.class);

    /** Where an append went, and when it is durable (as {@link LogStore#put} promises). */
    public record Appended(long position, int size, CompletableFuture<Durability> durable) {
    }

    private final Storage storage;
    private final Path dir;
    private final LogStore.Options options;
    private final Clock clock;
    private final StoreMetrics metrics;
    private final Segments segments;
    private final Object appendLock = new Object();
    private final GroupCommit groupCommit;
    private final AtomicBoolean closed = new AtomicBoolean();
    private ScheduledExecutorService committer;

    private MessageLog(Storage storage, Path dir, LogStore.Options options, Clock clock, MeterRegistry registry) {
        this.storage = storage;
        this.dir = dir;
        this.options = options;
        this.clock = clock;
        this.metrics = StoreMetrics.register(registry);
        this.segments = new Segments(storage, dir, options.segmentBytes());
        this.groupCommit = new GroupCommit(dir, appendLock, segments::active, options.maxWaitingAppends(),
                metrics.syncs());
        new Recovery(storage, dir, options.segmentBytes(), metrics.corruptions()).recoverLog(segments);
        log.info("message log {}: {} segments, active {} at byte {}", dir, segments.count(), segments.active().id(),
                segments.active().written());
    }

    public static MessageLog open(Path dir, LogStore.Options options, Clock clock, MeterRegistry registry) {
        return open(new FileStorage(), dir, options, clock, registry);
    }

    static MessageLog open(Storage storage, Path dir, LogStore.Options options, Clock clock, MeterRegistry registry) {
        MessageLog m = new MessageLog(storage, dir, options, clock, registry);
        if (options.durability() == Durability.GROUP_COMMIT) {
            m.committer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "topaz-messagelog-commit");
                t.setDaemon(true);
                return t;
            });
            long every = Math.max(1, options.groupCommitInterval().toNanos());
            m.committer.scheduleAtFixedRate(m.groupCommit::commit, every, every, TimeUnit.NANOSECONDS);
        }
        return m;
    }

    /** A position: the segment id in the high 32 bits, the byte offset in the low 32. Positions grow with appends. */
    public static long position(long segment, int offset) {
        return segment << 32 | (offset & 0xFFFF_FFFFL);
    }

    public static long segmentOf(long position) {
        return position >>> 32;
    }

    static int offsetOf(long position) {
        return (int) position;
    }

    /**
     * Appends {@code value} under {@code key} (a message id); the future completes when durable under the log's
     * {@link Durability}. Refused at once with a failed future ({@link StoreOverloadedException}) when too many
     * appends wait for a group commit; nothing is written then. Throws {@link IllegalArgumentException} for a record
     * larger than a segment.
     */
    public Appended append(long key, long timestamp, byte[] value) {
        requireOpen();
        byte[] k = ByteBuffer.allocate(8).putLong(key).array();
        int size = RecordCodec.size(k, value);
        if (size > options.segmentBytes() || value.length > RecordCodec.MAX_VALUE) {
            throw new IllegalArgumentException("a record of " + size + " bytes does not fit a segment of "
                    + options.segmentBytes());
        }
        synchronized (appendLock) {
            if (options.durability() == Durability.GROUP_COMMIT && !groupCommit.hasRoom()) {
                metrics.overloaded().increment();
                return new Appended(-1, size, CompletableFuture.failedFuture(groupCommit.overloaded()));
            }
            try {
                SegmentFile active = segments.active();
                if (!active.fits(size)) {
                    segments.roll();
                    active = segments.active();
                }
                int offset = active.append(timestamp, k, value);
                metrics.appends().increment();
                metrics.appendedBytes().increment(size);
                long pos = position(active.id(), offset);
                return switch (options.durability()) {
                    case SYNC_EACH -> {
                        active.force();
                        metrics.syncs().increment();
                        yield new Appended(pos, size, CompletableFuture.completedFuture(Durability.SYNC_EACH));
                    }
                    case GROUP_COMMIT -> new Appended(pos, size, groupCommit.await());
                    default -> new Appended(pos, size, CompletableFuture.completedFuture(Durability.OS));
                };
            } catch (RuntimeException e) {
                return new Appended(-1, size, CompletableFuture.failedFuture(e));
            }
        }
    }

    /** A record read back: its key (the message id), timestamp and value. */
    public record Read(long key, long timestamp, byte[] value) {
    }

    /**
     * The record at {@code position}, or null when its segment was deleted. Throws {@link CorruptRecordException}
     * when no valid record is there (damage, or a position that never was a record's).
     */
    public Read read(long position) {
        SegmentFile seg = segments.get(segmentOf(position));
        if (seg == null) {
            return null;
        }
        RecordCodec.Read r = seg.read(offsetOf(position));
        if (r instanceof RecordCodec.Ok ok && ok.record().key().length == 8 && ok.record().value() != null) {
            return new Read(ByteBuffer.wrap(ok.record().key()).getLong(), ok.record().timestamp(),
                    ok.record().value());
        }
        metrics.corruptions().increment();
        throw new CorruptRecordException("message log " + dir + ": no valid record at segment "
                + segmentOf(position) + " byte " + offsetOf(position) + " ("
                + (r instanceof RecordCodec.Corrupt c ? c.why() : r instanceof RecordCodec.End ? "past the end" : "not a message")
                + ")");
    }

    /** Where a record's value starts on disk: the segment file and the byte offset in it. */
    public record ValueAt(Path file, long offset) {
    }

    /**
     * The file and offset of the value of the message record at {@code position} (its 8-byte key skipped), without
     * reading it; null when its segment was deleted. The bytes there never change: segments are append-only.
     */
    public ValueAt valueAt(long position) {
        SegmentFile seg = segments.get(segmentOf(position));
        return seg == null ? null : new ValueAt(seg.path(), offsetOf(position) + (long) RecordCodec.HEADER + 8);
    }

    /** The live segment ids, oldest first; the last is the active one. */
    public List<Long> segmentIds() {
        return segments.all().stream().map(SegmentFile::id).sorted().toList();
    }

    public long activeSegment() {
        return segments.active().id();
    }

    /** Bytes written in all live segments. */
    public long bytes() {
        return segments.writtenBytes();
    }

    /**
     * Deletes every sealed segment with an id below {@code segment}, oldest first, syncing the directory after each
     * (so a power loss keeps a suffix of them, never a hole). The active segment is never deleted. Returns how many.
     */
    public int deleteSegmentsBelow(long segment) {
        requireOpen();
        int deleted = 0;
        for (SegmentFile s : segments.all().stream().sorted((a, b) -> Long.compare(a.id(), b.id())).toList()) {
            if (s.id() >= segment || s.id() >= segments.active().id()) {
                break;
            }
            segments.remove(s);
            s.close();
            storage.delete(s.path());
            storage.syncDirectory(dir);
            deleted++;
        }
        if (deleted > 0) {
            log.info("message log {}: deleted {} segments below {}", dir, deleted, segment);
        }
        return deleted;
    }

    /** Forces everything appended so far (completing waiting group-commit futures). */
    public void commit() {
        if (options.durability() == Durability.GROUP_COMMIT) {
            groupCommit.commit();
        } else if (options.durability() == Durability.SYNC_EACH) {
            segments.active().force();
        }
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the message log " + dir + " is closed");
        }
    }

    public Durability durability() {
        return options.durability();
    }

    Clock clock() {
        return clock;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (committer != null) {
            committer.shutdownNow();
            try {
                committer.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            groupCommit.commit();
        } finally {
            segments.closeAll();
        }
    }
}

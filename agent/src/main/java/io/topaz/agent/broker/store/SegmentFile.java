package io.topaz.agent.broker.store;

import java.io.Closeable;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * One append-only data file, {@code <id>.data}, mapped at its full capacity and appended to through the file. The
 * active segment takes appends; when full it is sealed (truncated to what was written) and a new one starts. Reads are
 * absolute gets on the mapping, so they need no lock and never see a half-written record past {@link #written()}.
 *
 * <p>A segment may hold byte ranges recovery found damaged (with valid records after them): they are skipped by
 * {@link #forEachRecord}, which otherwise refuses to step over a record it cannot read.
 */
final class SegmentFile implements Closeable {

    /** A byte range {@code [from, to)} holding no readable record. */
    record Damage(int from, int to) {
    }

    /** Receives the records of a segment in order. */
    interface RecordVisitor {
        void record(int offset, RecordCodec.Decoded record);
    }

    private final long id;
    private final Storage.MappedFile file;
    private final ByteBuffer map;
    private volatile Path path;
    private volatile int written;
    private volatile List<Damage> damage = List.of();

    SegmentFile(long id, Path path, Storage.MappedFile file, int written) {
        this.id = id;
        this.path = path;
        this.file = file;
        this.map = file.buffer();
        this.written = written;
    }

    long id() {
        return id;
    }

    Path path() {
        return path;
    }

    /** The file was renamed (a merge output given its real name); the mapping is unchanged. */
    void movedTo(Path newPath) {
        this.path = newPath;
    }

    int written() {
        return written;
    }

    int capacity() {
        return map.capacity();
    }

    boolean fits(int recordSize) {
        return written + recordSize <= map.capacity();
    }

    List<Damage> damage() {
        return damage;
    }

    /** Set by recovery: the written length and the damaged ranges below it. */
    void recovered(int writtenBytes, List<Damage> damaged) {
        this.damage = List.copyOf(damaged);
        this.written = writtenBytes;
    }

    /** Appends a record; returns its offset. The caller serializes appends. */
    int append(long timestamp, byte[] key, byte[] value) {
        int offset = written;
        // Through the file, not the mapping: a store writing through the mapping took a page fault per page and its
        // forces cost ~3.7 ms against ~2 ms, 150 against 228 MB/s of appends (docs/benchmarks.md).
        ByteBuffer b = ByteBuffer.allocate(RecordCodec.size(key, value));
        RecordCodec.write(b, timestamp, key, value);
        file.write(offset, b.flip());
        written = offset + b.limit(); // published after the bytes: readers never see a partial record
        return offset;
    }

    void force() {
        file.force();
    }

    RecordCodec.Read read(int offset) {
        return RecordCodec.read(map, offset, written);
    }

    /** The raw mapping, for recovery, which does not yet know what was written. */
    ByteBuffer mapping() {
        return map.duplicate();
    }

    /**
     * Visits every record below {@link #written()}, stepping over the known damaged ranges. Throws
     * {@link CorruptRecordException} at any other record it cannot read: a caller that copies records (merge, hint
     * writing) must stop rather than leave one out.
     */
    void forEachRecord(RecordVisitor visitor) {
        int end = written;
        List<Damage> skip = damage;
        int next = 0;
        int offset = 0;
        while (offset < end) {
            if (next < skip.size() && skip.get(next).from() == offset) {
                offset = skip.get(next++).to();
                continue;
            }
            RecordCodec.Read r = RecordCodec.read(map, offset, end);
            if (!(r instanceof RecordCodec.Ok ok)) {
                throw new CorruptRecordException("segment " + id + ": no readable record at byte " + offset + " of "
                        + end + " (" + (r instanceof RecordCodec.Corrupt c ? c.why() : "unexpected end") + ")");
            }
            visitor.record(offset, ok.record());
            offset += ok.record().size();
        }
    }

    /** Zeroes the mapping from {@code from} to the capacity (a torn tail), and forces it. */
    void zeroFrom(int from) {
        byte[] zeros = new byte[64 * 1024];
        for (int at = from; at < map.capacity(); at += zeros.length) {
            map.put(at, zeros, 0, Math.min(zeros.length, map.capacity() - at));
        }
        file.force();
    }

    /** Forces what was written and cuts the file to it: a sealed segment keeps no zeroed tail. */
    void seal() {
        file.force();
        file.truncate(written);
        file.force();
    }

    @Override
    public void close() {
        file.close();
    }
}

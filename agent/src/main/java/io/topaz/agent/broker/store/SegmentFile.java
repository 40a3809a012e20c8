package io.topaz.agent.broker.store;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One append-only data file, {@code <id>.data}, written through a memory mapping of its full capacity. The active
 * segment takes appends; when full it is closed (truncated to what was written) and a new one starts. Reads are
 * absolute gets on the mapping, so they need no lock and never see a half-written record past {@link #written()}.
 */
final class SegmentFile implements Closeable {

    private final long id;
    private final Path path;
    private final FileChannel channel;
    private final MappedByteBuffer map;
    private final int capacity;
    private volatile int written;

    private SegmentFile(long id, Path path, FileChannel channel, MappedByteBuffer map, int capacity, int written) {
        this.id = id;
        this.path = path;
        this.channel = channel;
        this.map = map;
        this.capacity = capacity;
        this.written = written;
    }

    static Path pathOf(Path dir, long id) {
        return dir.resolve(String.format("%016d.data", id));
    }

    /** A new, empty segment of {@code capacity} bytes. */
    static SegmentFile create(Path dir, long id, int capacity) {
        SegmentFile s = open(pathOf(dir, id), id, capacity, 0, true);
        // The new file's directory entry must survive a power loss too, not only its bytes.
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            s.close();
            throw new UncheckedIOException("cannot sync directory " + dir, e);
        }
        return s;
    }

    /** A new segment at an explicit path (a merge writes to a temporary name, renamed once complete). */
    static SegmentFile createAt(Path path, long id, int capacity) {
        return open(path, id, capacity, 0, true);
    }

    /** An existing segment, mapped at {@code capacity} (at least its size), with {@code written} valid bytes. */
    static SegmentFile open(Path path, long id, int capacity, int written, boolean writable) {
        try {
            FileChannel ch = writable
                    ? FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)
                    : FileChannel.open(path, StandardOpenOption.READ);
            int size = writable ? capacity : (int) ch.size();
            MappedByteBuffer map = ch.map(writable ? FileChannel.MapMode.READ_WRITE : FileChannel.MapMode.READ_ONLY, 0, size);
            return new SegmentFile(id, path, ch, map, size, written);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map segment " + path, e);
        }
    }

    long id() {
        return id;
    }

    Path path() {
        return path;
    }

    int written() {
        return written;
    }

    int capacity() {
        return capacity;
    }

    boolean fits(int recordSize) {
        return written + recordSize <= capacity;
    }

    /** Appends a record; returns its offset. The caller serializes appends. */
    int append(long timestamp, byte[] key, byte[] value) {
        int offset = written;
        ByteBuffer b = map.duplicate().position(offset);
        RecordCodec.write(b, timestamp, key, value);
        written = b.position(); // published after the bytes: readers never see a partial record
        return offset;
    }

    /** Forces the mapping to disk. */
    void force() {
        map.force();
    }

    RecordCodec.Read read(int offset) {
        return RecordCodec.read(map, offset, written);
    }

    /** Scans from {@code from} to the capacity: used by recovery, which does not yet know what was written. */
    RecordCodec.Read readForRecovery(int offset) {
        return RecordCodec.read(map, offset, capacity);
    }

    /** Zeroes the mapping from {@code from} to the capacity (a torn tail), and forces it. */
    void zeroFrom(int from) {
        byte[] zeros = new byte[64 * 1024];
        for (int at = from; at < capacity; at += zeros.length) {
            map.put(at, zeros, 0, Math.min(zeros.length, capacity - at));
        }
        map.force();
    }

    void setWritten(int bytes) {
        this.written = bytes;
    }

    /** Truncates the file to what was written (a closed segment keeps no zeroed tail) and closes it. */
    void seal() {
        try {
            map.force();
            channel.truncate(written);
            channel.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot seal segment " + path, e);
        }
    }

    long sizeOnDisk() {
        try {
            return Files.size(path);
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close segment " + path, e);
        }
    }
}

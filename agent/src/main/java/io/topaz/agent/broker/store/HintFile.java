package io.topaz.agent.broker.store;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * A sealed segment's index, {@code <id>.hint}: for each record its key, offset, size, timestamp and whether it is a
 * tombstone, so that start-up reads this small file instead of every record.
 *
 * <pre>
 *  magic:int "TPZH"  version:int 2  segmentId:long  segmentLength:int  count:int
 *  count × ( keyLength:int key offset:int size:int timestamp:long tombstone:byte )
 *  crc32c:int   (over everything before it)
 * </pre>
 *
 * A hint is used only when its CRC holds, it names the segment's id and current length, and every entry lies inside
 * the segment; otherwise it is ignored, whole, and the segment scanned. Written to a temporary file, forced, renamed,
 * and the directory forced.
 */
final class HintFile {

    private static final int MAGIC = 0x54505A48;
    private static final int VERSION = 2;
    private static final int PREFIX = 4 + 4 + 8 + 4 + 4;
    private static final int MIN_ENTRY = 4 + 1 + 4 + 4 + 8 + 1;

    /** Receives each entry while a hint is applied. */
    interface Sink {
        void entry(String key, int offset, int size, long timestamp, boolean tombstone);
    }

    private HintFile() {
    }

    /** Writes the hint of a sealed segment from its records (known damaged ranges are left out). */
    static void write(Storage storage, Path dir, SegmentFile segment) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(1024, segment.written() / 8));
        int[] count = {0};
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeLong(segment.id());
            out.writeInt(segment.written());
            out.writeInt(0); // count, patched below
            segment.forEachRecord((offset, rec) -> {
                try {
                    out.writeInt(rec.key().length);
                    out.write(rec.key());
                    out.writeInt(offset);
                    out.writeInt(rec.size());
                    out.writeLong(rec.timestamp());
                    out.writeByte(rec.value() == null ? 1 : 0);
                    count[0]++;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the hint of segment " + segment.id(), e);
        }
        byte[] content = bytes.toByteArray();
        ByteBuffer.wrap(content).putInt(PREFIX - 4, count[0]);
        CRC32C crc = new CRC32C();
        crc.update(content);
        byte[] all = ByteBuffer.allocate(content.length + 4).put(content).putInt((int) crc.getValue()).array();
        Path hint = Segments.hintPath(dir, segment.id());
        Path tmp = Segments.temporary(hint);
        storage.write(tmp, all);
        storage.rename(tmp, hint);
        storage.syncDirectory(dir);
    }

    /**
     * Applies the hint of segment {@code id}, {@code segmentLength} bytes long, to {@code sink}. False, with nothing
     * applied, when the hint is missing or does not check out.
     */
    static boolean read(Storage storage, Path dir, long id, long segmentLength, Sink sink) {
        Path p = Segments.hintPath(dir, id);
        if (!storage.exists(p)) {
            return false;
        }
        ByteBuffer b;
        try {
            b = ByteBuffer.wrap(storage.readAll(p));
        } catch (UncheckedIOException e) {
            return false;
        }
        if (b.capacity() < PREFIX + 4 || b.getInt(0) != MAGIC || b.getInt(4) != VERSION
                || b.getLong(8) != id || b.getInt(16) != segmentLength) {
            return false;
        }
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate().limit(b.capacity() - 4));
        if ((int) crc.getValue() != b.getInt(b.capacity() - 4)) {
            return false;
        }
        int count = b.getInt(PREFIX - 4);
        ByteBuffer entries = b.duplicate().position(PREFIX).limit(b.capacity() - 4);
        if (count < 0 || (long) count * MIN_ENTRY > entries.remaining()
                || !entriesInside(entries.duplicate(), count, segmentLength)) {
            return false;
        }
        for (int i = 0; i < count; i++) {
            byte[] key = new byte[entries.getInt()];
            entries.get(key);
            sink.entry(new String(key, StandardCharsets.UTF_8), entries.getInt(), entries.getInt(), entries.getLong(),
                    entries.get() == 1);
        }
        return true;
    }

    /** First pass, before anything is applied: every entry well-formed and inside the segment. */
    private static boolean entriesInside(ByteBuffer entries, int count, long segmentLength) {
        try {
            for (int i = 0; i < count; i++) {
                int keyLength = entries.getInt();
                if (keyLength <= 0 || keyLength > RecordCodec.MAX_KEY) {
                    return false;
                }
                entries.position(entries.position() + keyLength);
                int offset = entries.getInt();
                int size = entries.getInt();
                entries.getLong();
                byte tombstone = entries.get();
                if (offset < 0 || size < RecordCodec.HEADER + keyLength || (long) offset + size > segmentLength
                        || (tombstone != 0 && tombstone != 1)) {
                    return false;
                }
            }
            return !entries.hasRemaining();
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            return false;
        }
    }
}

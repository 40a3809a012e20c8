package io.topaz.agent.broker.store;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.CRC32C;

/**
 * A sealed segment's index, {@code <id>.hint}: for each record its key, offset, size, timestamp and whether it is a
 * tombstone, so that start-up reads this small file instead of every record. Written to a temporary file and renamed,
 * with a CRC32C over the whole content: a hint that is missing, torn or corrupt is ignored and the segment is scanned.
 *
 * <pre>
 *  magic:int "TPZH"  version:int  count:int
 *  count × ( keyLength:int key offset:int size:int timestamp:long tombstone:byte )
 *  crc32c:int
 * </pre>
 */
final class HintFile {

    private static final int MAGIC = 0x54505A48;
    private static final int VERSION = 1;

    /** Receives each entry while a hint is read. */
    interface Sink {
        void entry(String key, int offset, int size, long timestamp, boolean tombstone);
    }

    private HintFile() {
    }

    static Path pathOf(Path dir, long id) {
        return dir.resolve(String.format("%016d.hint", id));
    }

    /** Writes the hint of a sealed segment by reading its records. */
    static void writeFor(SegmentFile segment, Path dir) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(1024, segment.written() / 8));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(0); // count, patched below
            int count = 0;
            int offset = 0;
            while (segment.read(offset) instanceof RecordCodec.Ok ok) {
                byte[] key = ok.record().key();
                out.writeInt(key.length);
                out.write(key);
                out.writeInt(offset);
                out.writeInt(ok.record().size());
                out.writeLong(ok.record().timestamp());
                out.writeByte(ok.record().value() == null ? 1 : 0);
                offset += ok.record().size();
                count++;
            }
            out.flush();
            byte[] content = bytes.toByteArray();
            ByteBuffer.wrap(content).putInt(8, count);
            CRC32C crc = new CRC32C();
            crc.update(content);
            ByteBuffer all = ByteBuffer.allocate(content.length + 4).put(content).putInt((int) crc.getValue());
            Path tmp = dir.resolve(pathOf(dir, segment.id()).getFileName() + ".tmp");
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.TRUNCATE_EXISTING, java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(all.flip());
                ch.force(true);
            }
            Files.move(tmp, pathOf(dir, segment.id()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the hint of segment " + segment.id(), e);
        }
    }

    /** Reads a hint into {@code sink}; false (and nothing read) when it is missing or does not check out. */
    static boolean read(Path dir, long id, Sink sink) {
        Path p = pathOf(dir, id);
        if (!Files.exists(p)) {
            return false;
        }
        ByteBuffer b;
        try {
            b = ByteBuffer.wrap(Files.readAllBytes(p));
        } catch (IOException e) {
            return false;
        }
        if (b.capacity() < 16 || b.getInt(0) != MAGIC || b.getInt(4) != VERSION) {
            return false;
        }
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate().limit(b.capacity() - 4));
        if ((int) crc.getValue() != b.getInt(b.capacity() - 4)) {
            return false;
        }
        int count = b.getInt(8);
        b.position(12);
        for (int i = 0; i < count; i++) {
            int keyLength = b.getInt();
            byte[] key = new byte[keyLength];
            b.get(key);
            sink.entry(new String(key, StandardCharsets.UTF_8), b.getInt(), b.getInt(), b.getLong(), b.get() == 1);
        }
        return true;
    }
}

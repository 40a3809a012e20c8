package io.topaz.agent.broker.push.confirm;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The last tier: append-only files {@code confirm-<n>.log} in a directory of the agent's data dir, read back oldest
 * first. A record is {@code int32 length, int32 crc32c(payload), payload} ({@link Confirmation}'s bytes); a file
 * grows to {@code fileBytes}, then the next one starts. A file is deleted once every record in it was read and
 * {@link #commit() committed} (applied to the broker), so what was not applied when the process ended is read again
 * at the next start — a confirmation may be applied twice, which changes nothing (the broker ignores an id no longer
 * in flight).
 *
 * <p>Files are ordered by their number, which may be negative: {@link #prepend} writes records older than every
 * file (the memory tiers' content at shutdown) to a file numbered below the oldest. A torn record at a file's end (a
 * crash mid-write) ends that file; a record whose CRC does not match ends it too, logged.
 *
 * <p>Confined to one thread (the {@link ConfirmQueue}'s drainer): it does the blocking file I/O, never an event loop.
 */
final class FileTier implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FileTier.class);
    private static final int HEADER = 8;

    private final Path dir;
    private final long fileBytes;
    /** Files by number: the oldest is being read, the newest written. */
    private final TreeMap<Long, Path> files = new TreeMap<>();
    private FileChannel writer;
    private long writerNumber;
    private long written;
    private FileChannel reader;
    private long readerNumber;
    private long readOffset;
    private long count;
    /** Unread records per file. */
    private final java.util.Map<Long, Long> unread = new java.util.HashMap<>();
    /** Files read to their end, awaiting {@link #commit()}. */
    private final java.util.Set<Long> done = new java.util.HashSet<>();

    FileTier(Path dir, long fileBytes) {
        this.dir = dir;
        this.fileBytes = fileBytes;
        try {
            Files.createDirectories(dir);
            try (Stream<Path> s = Files.list(dir)) {
                s.forEach(p -> {
                    String n = p.getFileName().toString();
                    if (n.startsWith("confirm-") && n.endsWith(".log")) {
                        files.put(Long.parseLong(n.substring(8, n.length() - 4)), p);
                    }
                });
            }
            for (var e : files.entrySet()) {
                long n = countRecords(e.getValue());
                unread.put(e.getKey(), n);
                count += n;
            }
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("cannot open the confirmation files in " + dir + ": " + e.getMessage(), e);
        }
        if (count > 0) {
            log.info("{} confirmations in {} files of {} from before the restart: applied first", count,
                    files.size(), dir);
        }
    }

    /** Records written and not yet read. */
    long count() {
        return count;
    }

    Path dir() {
        return dir;
    }

    /** Appends {@code cs} after every record held. */
    void append(List<Confirmation> cs) {
        if (cs.isEmpty()) {
            return;
        }
        try {
            if (writer == null || written >= fileBytes) {
                openWriter(files.isEmpty() ? 0 : files.lastKey() + 1);
            }
            ByteBuffer b = encode(cs);
            written += b.remaining();
            while (b.hasRemaining()) {
                writer.write(b);
            }
            unread.merge(writerNumber, (long) cs.size(), Long::sum);
            count += cs.size();
        } catch (IOException e) {
            throw new UncheckedIOException("writing confirmations to " + dir, e);
        }
    }

    /**
     * Writes {@code cs} before every record held (they are older), in a file of their own, forced; for the memory
     * tiers' content at shutdown. Read nothing after it: the next start reads every file again.
     */
    void prepend(List<Confirmation> cs) {
        if (cs.isEmpty()) {
            return;
        }
        long number = files.isEmpty() ? 0 : files.firstKey() - 1;
        Path p = dir.resolve(name(number));
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer b = encode(cs);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("writing confirmations to " + p, e);
        }
        files.put(number, p);
        unread.put(number, (long) cs.size());
        count += cs.size();
    }

    /** Up to {@code max} of the oldest records, in order; they stay on disk until {@link #commit()}. */
    List<Confirmation> read(int max) {
        List<Confirmation> out = new ArrayList<>();
        try {
            while (out.size() < max && count > 0) {
                if (reader == null) {
                    Long first = firstUnread();
                    if (first == null) {
                        break;
                    }
                    reader = FileChannel.open(files.get(first), StandardOpenOption.READ);
                    readerNumber = first;
                    readOffset = 0;
                }
                ByteBuffer header = ByteBuffer.allocate(HEADER);
                if (reader.read(header, readOffset) < HEADER || header.getInt(0) <= 0) {
                    if (readerNumber == writerNumber && writer != null) {
                        break; // the file being written: nothing more yet
                    }
                    finishedFile();
                    continue;
                }
                int length = header.getInt(0);
                ByteBuffer payload = ByteBuffer.allocate(length);
                if (reader.read(payload, readOffset + HEADER) < length || crc(payload.array()) != header.getInt(4)) {
                    log.warn("a damaged confirmation record in {} at byte {}: the rest of the file is skipped (those "
                            + "messages are delivered again after the redelivery timeout)", files.get(readerNumber),
                            readOffset);
                    finishedFile();
                    continue;
                }
                readOffset += HEADER + length;
                out.add(Confirmation.readFrom(payload.flip()));
                unread.merge(readerNumber, -1L, Long::sum);
                count--;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading confirmations in " + dir, e);
        }
        return out;
    }

    /** What was read so far was applied: files read to their end are deleted. */
    void commit() {
        try {
            for (Long n : List.copyOf(done)) {
                Files.deleteIfExists(files.remove(n));
                unread.remove(n);
                done.remove(n);
            }
            if (count == 0 && !files.isEmpty()) {
                // everything written was read and applied: start over without files
                closeReader();
                if (writer != null) {
                    writer.close();
                    writer = null;
                }
                for (Path p : files.values()) {
                    Files.deleteIfExists(p);
                }
                files.clear();
                unread.clear();
                done.clear();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("deleting confirmation files in " + dir, e);
        }
    }

    private Long firstUnread() {
        for (Long n : files.keySet()) {
            if (!done.contains(n)) {
                return n;
            }
        }
        return null;
    }

    private void finishedFile() {
        count -= unread.getOrDefault(readerNumber, 0L); // records past damage: never read
        unread.put(readerNumber, 0L);
        done.add(readerNumber);
        closeReader();
    }

    private void closeReader() {
        if (reader != null) {
            try {
                reader.close();
            } catch (IOException e) {
                log.debug("closing {}", files.get(readerNumber), e);
            }
            reader = null;
        }
    }

    private void openWriter(long number) throws IOException {
        if (writer != null) {
            writer.force(false);
            writer.close();
        }
        Path p = dir.resolve(name(number));
        writer = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        writerNumber = number;
        written = 0;
        files.put(number, p);
    }

    @Override
    public void close() {
        closeReader();
        if (writer != null) {
            try {
                writer.force(true);
                writer.close();
            } catch (IOException e) {
                log.warn("closing the confirmation file in {}", dir, e);
            }
            writer = null;
        }
    }

    private static ByteBuffer encode(List<Confirmation> cs) {
        int size = 0;
        for (Confirmation c : cs) {
            size += HEADER + c.size();
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        for (Confirmation c : cs) {
            int start = b.position();
            b.position(start + HEADER);
            c.writeTo(b);
            int length = b.position() - start - HEADER;
            byte[] payload = new byte[length];
            b.get(start + HEADER, payload);
            b.putInt(start, length).putInt(start + 4, crc(payload));
        }
        return b.flip();
    }

    private static int crc(byte[] payload) {
        CRC32C c = new CRC32C();
        c.update(payload);
        return (int) c.getValue();
    }

    private static long countRecords(Path p) throws IOException {
        long n = 0;
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            long at = 0;
            ByteBuffer header = ByteBuffer.allocate(HEADER);
            while (ch.read(header.clear(), at) == HEADER) {
                int length = header.getInt(0);
                if (length <= 0 || at + HEADER + length > ch.size()) {
                    break;
                }
                at += HEADER + length;
                n++;
            }
        }
        return n;
    }

    private static String name(long number) {
        return "confirm-" + number + ".log";
    }
}

package io.topaz.agent.broker.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One queue's references into the {@link MessageLog}, as RocketMQ's ConsumeQueue: an append-only sequence of fixed
 * 20-byte entries — log position (8 bytes), record size and attempts (4: the size in the low 24 bits, the deliveries
 * already made in the high 8), message id (8) — indexed by position, so entry {@code i} is at byte {@code 20 × i}
 * and reading the next N is one read of one mapping.
 *
 * <p>Stored as chunk files {@code <first index, 20 digits>.cq} of {@code chunkEntries} entries each, so the head of a
 * queue can be trimmed by deleting whole chunks ({@link #deleteChunksBelow}). At most three chunks are mapped at a
 * time (the one written and the last two read), so memory does not grow with the backlog. Not thread-safe: the owner
 * serializes every call.
 *
 * <p>An entry is valid when its position and id are non-zero; after a power loss the unforced tail may hold zeros or
 * garbage, which the owner recognizes by checking the id against the log's record at that position.
 */
public final class ConsumeQueue implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(ConsumeQueue.class);

    public static final int ENTRY = 20;
    public static final int MAX_SIZE = (1 << 24) - 1;
    public static final int MAX_ATTEMPTS = 255;
    private static final int MAX_OPEN = 3;

    /** One reference; {@code attempts} is how many deliveries the message had before this entry was appended. */
    public record Entry(long index, long position, int size, int attempts, long id) {
        public boolean valid() {
            return position != 0 && id > 0;
        }
    }

    private final Storage storage;
    private final Path dir;
    private final int chunkEntries;
    private final TreeSet<Long> chunks = new TreeSet<>();
    private final Map<Long, Storage.MappedFile> open = new LinkedHashMap<>(4, 0.75f, true);
    private final Set<Long> dirty = new HashSet<>();
    /** Chunk files being forced outside the owner's lock, with counts; closed only once their forces are done. */
    private final Object forceLock = new Object();
    private final Map<Storage.MappedFile, Integer> forcing = new java.util.IdentityHashMap<>();
    private final Set<Storage.MappedFile> closeAfterForce = java.util.Collections.newSetFromMap(
            new java.util.IdentityHashMap<>());
    private long writeIndex;

    private ConsumeQueue(Storage storage, Path dir, int chunkEntries) {
        this.storage = storage;
        this.dir = dir;
        this.chunkEntries = chunkEntries;
        storage.createDirectories(dir);
        for (String name : storage.list(dir)) {
            if (name.matches("\\d{20}\\.cq")) {
                chunks.add(Long.parseLong(name.substring(0, 20)));
            }
        }
        if (chunks.isEmpty()) {
            writeIndex = 0;
            return;
        }
        long last = chunks.last();
        ByteBuffer b = map(last).buffer();
        int end = 0;
        for (int i = chunkEntries - 1; i >= 0; i--) {
            if (b.getLong(i * ENTRY) != 0 || b.getLong(i * ENTRY + 12) != 0) {
                end = i + 1;
                break;
            }
        }
        writeIndex = last + end;
    }

    public static ConsumeQueue open(Path dir, int chunkEntries) {
        return open(new FileStorage(), dir, chunkEntries);
    }

    static ConsumeQueue open(Storage storage, Path dir, int chunkEntries) {
        if (chunkEntries < 1 || (long) chunkEntries * ENTRY > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("chunkEntries must be 1 to " + Integer.MAX_VALUE / ENTRY);
        }
        return new ConsumeQueue(storage, dir, chunkEntries);
    }

    /** The index the next append gets (entries below it exist or were trimmed). */
    public long writeIndex() {
        return writeIndex;
    }

    /** The lowest index still stored (trimmed chunks are gone), or {@link #writeIndex()} when none. */
    public long firstIndex() {
        return chunks.isEmpty() ? writeIndex : chunks.first();
    }

    /** Number of chunk files (for tests and metrics). */
    public int chunkCount() {
        return chunks.size();
    }

    /** Number of chunks mapped now (at most three). */
    public int mappedChunks() {
        return open.size();
    }

    /** Appends one entry through the file (pwrite); returns its index. Durable after {@link #force()}. */
    public long append(long position, int size, int attempts, long id) {
        if (size < 0 || size > MAX_SIZE) {
            throw new IllegalArgumentException("record size must be below 2^24, was " + size);
        }
        long chunk = chunkOf(writeIndex);
        if (!chunks.contains(chunk)) {
            Path path = path(chunk);
            Storage.MappedFile f = storage.create(path, chunkEntries * ENTRY);
            f.force();
            storage.syncDirectory(dir);
            chunks.add(chunk);
            keepOpen(chunk, f);
        }
        ByteBuffer e = ByteBuffer.allocate(ENTRY);
        e.putLong(position).putInt(Math.min(attempts, MAX_ATTEMPTS) << 24 | size).putLong(id).flip();
        map(chunk).write((int) (writeIndex - chunk) * ENTRY, e);
        dirty.add(chunk);
        return writeIndex++;
    }

    /** Up to {@code max} entries from {@code from} (at least {@link #firstIndex()}), stopping at {@code limit}. */
    public List<Entry> read(long from, int max, long limit) {
        long start = Math.max(from, firstIndex());
        long end = Math.min(Math.min(limit, writeIndex), start + max);
        List<Entry> out = new ArrayList<>((int) Math.max(0, end - start));
        long i = start;
        while (i < end) {
            long chunk = chunkOf(i);
            if (!chunks.contains(chunk)) {
                i = chunk + chunkEntries; // trimmed meanwhile
                continue;
            }
            ByteBuffer b = map(chunk).buffer();
            long stop = Math.min(end, chunk + chunkEntries);
            for (; i < stop; i++) {
                int at = (int) (i - chunk) * ENTRY;
                int sizeAndAttempts = b.getInt(at + 8);
                out.add(new Entry(i, b.getLong(at), sizeAndAttempts & MAX_SIZE, sizeAndAttempts >>> 24,
                        b.getLong(at + 12)));
            }
        }
        return out;
    }

    /** Forces every chunk appended to since the last force. */
    public void force() {
        for (Iterator<Long> it = dirty.iterator(); it.hasNext(); ) {
            long chunk = it.next();
            if (chunks.contains(chunk)) {
                map(chunk).force();
            }
            it.remove();
        }
    }

    /**
     * Takes the chunks appended to since the last force and returns the force of them, to run without the owner's
     * lock (appends and reads may go on meanwhile; an entry appended after this call is left for the next force).
     * A chunk closed meanwhile (evicted, trimmed) is closed only once this force is done.
     */
    public Runnable takeForce() {
        List<Storage.MappedFile> files = new ArrayList<>(dirty.size());
        for (long chunk : dirty) {
            if (chunks.contains(chunk)) {
                files.add(map(chunk));
            }
        }
        dirty.clear();
        synchronized (forceLock) {
            files.forEach(f -> forcing.merge(f, 1, Integer::sum));
        }
        return () -> {
            RuntimeException failure = null;
            for (Storage.MappedFile f : files) {
                try {
                    f.force();
                } catch (RuntimeException e) {
                    failure = e;
                } finally {
                    boolean close;
                    synchronized (forceLock) {
                        close = forcing.merge(f, -1, Integer::sum) == 0 && forcing.remove(f) != null
                                && closeAfterForce.remove(f);
                    }
                    if (close) {
                        f.close();
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
        };
    }

    private void closeChunk(Storage.MappedFile f) {
        synchronized (forceLock) {
            if (forcing.containsKey(f)) {
                closeAfterForce.add(f);
                return;
            }
        }
        f.close();
    }

    public boolean dirty() {
        return !dirty.isEmpty();
    }

    /**
     * Deletes every chunk whose entries all lie below {@code index}, except the chunk being written; returns how
     * many. The directory is synced once, after the deletes.
     */
    public int deleteChunksBelow(long index) {
        int n = 0;
        while (!chunks.isEmpty() && chunks.first() + chunkEntries <= Math.min(index, writeIndex)
                && chunks.first() != chunkOf(writeIndex) && chunks.size() > 1) {
            long chunk = chunks.pollFirst();
            Storage.MappedFile f = open.remove(chunk);
            if (f != null) {
                closeChunk(f);
            }
            dirty.remove(chunk);
            storage.delete(path(chunk));
            n++;
        }
        if (n > 0) {
            storage.syncDirectory(dir);
        }
        return n;
    }

    /** Deletes the whole queue: its chunks and its directory's entries. */
    public void deleteAll() {
        close();
        for (long chunk : chunks) {
            storage.delete(path(chunk));
        }
        chunks.clear();
        storage.syncDirectory(dir);
        storage.delete(dir);
    }

    private long chunkOf(long index) {
        return index - Math.floorMod(index, (long) chunkEntries);
    }

    private Path path(long chunk) {
        return dir.resolve(String.format("%020d.cq", chunk));
    }

    private Storage.MappedFile map(long chunk) {
        Storage.MappedFile f = open.get(chunk);
        if (f == null) {
            f = storage.open(path(chunk), chunkEntries * ENTRY, true);
            keepOpen(chunk, f);
        }
        return f;
    }

    private void keepOpen(long chunk, Storage.MappedFile f) {
        open.put(chunk, f);
        long writing = chunkOf(writeIndex);
        for (Iterator<Map.Entry<Long, Storage.MappedFile>> it = open.entrySet().iterator();
             it.hasNext() && open.size() > MAX_OPEN; ) {
            Map.Entry<Long, Storage.MappedFile> e = it.next();
            if (e.getKey() != chunk && e.getKey() != writing) {
                if (dirty.remove(e.getKey())) {
                    e.getValue().force(); // never drop a mapping with bytes not yet forced
                }
                closeChunk(e.getValue());
                it.remove();
            }
        }
    }

    @Override
    public void close() {
        for (Storage.MappedFile f : open.values()) {
            try {
                closeChunk(f);
            } catch (RuntimeException e) {
                log.warn("consume queue {}: closing a chunk failed: {}", dir, e.toString());
            }
        }
        open.clear();
    }
}

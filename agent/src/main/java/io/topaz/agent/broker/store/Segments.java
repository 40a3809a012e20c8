package io.topaz.agent.broker.store;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live set of segments and their names. The newest is the active one, taking appends; the others are sealed.
 *
 * <p>Segment ids: appends roll to the next multiple of {@link #ID_STEP}; a merge writes its outputs just above its
 * newest input (input + 1, + 2, …), so outputs sort after everything they replace and before the active segment, and
 * an id is never used twice. Recovery applies segments in id order, so a newer record always wins.
 */
final class Segments {

    static final long ID_STEP = 1000;

    private final Storage storage;
    private final Path dir;
    private final int segmentBytes;
    private final Map<Long, SegmentFile> live = new ConcurrentHashMap<>();
    private volatile SegmentFile active;

    Segments(Storage storage, Path dir, int segmentBytes) {
        this.storage = storage;
        this.dir = dir;
        this.segmentBytes = segmentBytes;
    }

    static long nextMajor(long id) {
        return (id / ID_STEP + 1) * ID_STEP;
    }

    static Path dataPath(Path dir, long id) {
        return dir.resolve(String.format("%016d.data", id));
    }

    static Path hintPath(Path dir, long id) {
        return dir.resolve(String.format("%016d.hint", id));
    }

    static Path temporary(Path file) {
        return file.resolveSibling(file.getFileName() + ".tmp");
    }

    /** The id of a data file's name, or -1 when the name is not a segment's. */
    static long idOf(String fileName) {
        return fileName.matches("\\d{16}\\.data") ? Long.parseLong(fileName.substring(0, 16)) : -1;
    }

    SegmentFile get(long id) {
        return live.get(id);
    }

    SegmentFile active() {
        return active;
    }

    /** Sealed segments, oldest first. */
    List<SegmentFile> sealed() {
        long activeId = active.id();
        return live.values().stream().filter(s -> s.id() < activeId).sorted(Comparator.comparingLong(SegmentFile::id))
                .toList();
    }

    List<SegmentFile> all() {
        return List.copyOf(live.values());
    }

    void add(SegmentFile segment) {
        live.put(segment.id(), segment);
    }

    void remove(SegmentFile segment) {
        live.remove(segment.id(), segment);
    }

    void activate(SegmentFile segment) {
        add(segment);
        active = segment;
    }

    /** Creates a new, empty segment, its directory entry durable. */
    SegmentFile create(long id) {
        Path path = dataPath(dir, id);
        SegmentFile s = new SegmentFile(id, path, storage.create(path, segmentBytes), 0);
        try {
            s.force(); // the file's size
            storage.syncDirectory(dir); // and its name
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** Seals the active segment and makes a new one active; returns the sealed one. The caller serializes appends. */
    SegmentFile roll() {
        SegmentFile old = active;
        old.seal(); // records waiting for a group commit in it are on disk from here on
        activate(create(nextMajor(old.id())));
        return old;
    }

    long writtenBytes() {
        return live.values().stream().mapToLong(SegmentFile::written).sum();
    }

    int count() {
        return live.size();
    }

    void closeAll() {
        live.values().forEach(SegmentFile::close);
    }
}

package io.topaz.agent.broker.store;

import io.micrometer.core.instrument.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Start-up: rebuilds the key directory and the segment set from the files of a store directory.
 *
 * <ul>
 *   <li>Leftover {@code .tmp} files (an interrupted merge or hint write) and hints without a segment are removed.
 *   <li>Segments are applied oldest first, so a newer record or tombstone wins. A sealed segment is read from its hint
 *       when the hint checks out ({@link HintFile}), else scanned record by record, every CRC checked.
 *   <li>A record that cannot be read starts a search for the next valid record. None: the rest is a <em>torn
 *       tail</em> — in the active segment it is cut (zeroed and forced). One found: the bytes between are
 *       <em>damage</em> — counted, logged, copied aside to {@code <segment>.damaged-<offset>}, and skipped; the valid
 *       records after them are kept. No corrupt record is ever entered into the key directory.
 * </ul>
 */
final class Recovery {

    private static final Logger log = LoggerFactory.getLogger(Recovery.class);

    private final Storage storage;
    private final Path dir;
    private final int segmentBytes;
    private final Counter corruptions;
    private int hintsRead;

    Recovery(Storage storage, Path dir, int segmentBytes, Counter corruptions) {
        this.storage = storage;
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.corruptions = corruptions;
    }

    /** Fills {@code keys} and {@code segments} (with an active segment) from the directory; returns hints read. */
    int recover(KeyDirectory keys, Segments segments) {
        storage.createDirectories(dir);
        List<Long> ids = new ArrayList<>();
        List<String> names = storage.list(dir);
        for (String name : names) {
            if (name.endsWith(".tmp")) {
                log.warn("log store {}: removing {}, left by an interrupted merge or hint write", dir, name);
                storage.delete(dir.resolve(name));
            } else if (Segments.idOf(name) >= 0) {
                ids.add(Segments.idOf(name));
            }
        }
        for (String name : names) {
            if (name.matches("\\d{16}\\.hint") && !ids.contains(Long.parseLong(name.substring(0, 16)))) {
                storage.delete(dir.resolve(name)); // its segment was merged away before the hint landed
            }
        }
        ids.sort(null);
        for (int i = 0; i < ids.size(); i++) {
            recoverSegment(ids.get(i), i == ids.size() - 1, keys, segments);
        }
        if (segments.active() == null) {
            segments.activate(segments.create(ids.isEmpty() ? Segments.ID_STEP
                    : Segments.nextMajor(ids.get(ids.size() - 1))));
        }
        return hintsRead;
    }

    /**
     * For an append-only log addressed by position ({@link MessageLog}): no key directory. Sealed segments were
     * forced and truncated before the next one started, so they are mapped as they are, without a scan (a damaged
     * record among them is found by its CRC when read, and only that record is lost); the newest segment is scanned
     * as above — a torn tail cut, damage in the middle skipped — and continues as the active one.
     */
    void recoverLog(Segments segments) {
        storage.createDirectories(dir);
        List<Long> ids = new ArrayList<>();
        for (String name : storage.list(dir)) {
            if (name.endsWith(".tmp")) {
                storage.delete(dir.resolve(name));
            } else if (Segments.idOf(name) >= 0) {
                ids.add(Segments.idOf(name));
            }
        }
        ids.sort(null);
        for (int i = 0; i < ids.size(); i++) {
            long id = ids.get(i);
            Path path = Segments.dataPath(dir, id);
            long size = storage.size(path);
            boolean active = i == ids.size() - 1 && size <= segmentBytes;
            if (!active) {
                segments.add(new SegmentFile(id, path, storage.open(path, (int) size, false), (int) size));
                continue;
            }
            SegmentFile seg = new SegmentFile(id, path, storage.open(path, segmentBytes, true), 0);
            scan(seg, true, null);
            segments.activate(seg);
        }
        if (segments.active() == null) {
            segments.activate(segments.create(ids.isEmpty() ? Segments.ID_STEP
                    : Segments.nextMajor(ids.get(ids.size() - 1))));
        }
    }

    private void recoverSegment(long id, boolean newest, KeyDirectory keys, Segments segments) {
        Path path = Segments.dataPath(dir, id);
        long size = storage.size(path);
        if (!newest && HintFile.read(storage, dir, id, size, (key, offset, recordSize, ts, tombstone) -> {
            if (tombstone) {
                keys.remove(key);
            } else {
                keys.put(key, new Location(id, offset, recordSize, ts));
            }
        })) {
            segments.add(new SegmentFile(id, path, storage.open(path, (int) size, false), (int) size));
            hintsRead++;
            return;
        }
        // The newest segment continues as the active one when it has room: map it at full capacity.
        boolean active = newest && size <= segmentBytes;
        SegmentFile seg = new SegmentFile(id, path, storage.open(path, active ? segmentBytes : (int) size, active), 0);
        scan(seg, active, keys);
        if (active) {
            segments.activate(seg);
        } else {
            segments.add(seg);
        }
    }

    private void scan(SegmentFile seg, boolean active, KeyDirectory keys) {
        ByteBuffer b = seg.mapping();
        int limit = b.capacity();
        List<SegmentFile.Damage> damage = new ArrayList<>();
        int offset = 0;
        int end = 0; // end of the last valid record
        while (offset < limit) {
            RecordCodec.Read r = RecordCodec.read(b, offset, limit);
            if (r instanceof RecordCodec.Ok ok && keys == null) {
                offset += ok.record().size();
                end = offset;
                continue;
            }
            if (r instanceof RecordCodec.Ok ok) {
                String key = new String(ok.record().key(), StandardCharsets.UTF_8);
                if (ok.record().value() == null) {
                    keys.remove(key);
                } else {
                    keys.put(key, new Location(seg.id(), offset, ok.record().size(), ok.record().timestamp()));
                }
                offset += ok.record().size();
                end = offset;
                continue;
            }
            int next = nextValidRecord(b, offset + 1, limit);
            if (next < 0) {
                tail(seg, active, b, offset, limit, r, damage);
                break;
            }
            damaged(seg, b, offset, next, r);
            damage.add(new SegmentFile.Damage(offset, next));
            offset = next;
        }
        seg.recovered(active ? end : limit, damage);
    }

    /** What follows the last valid record: zeros (a clean end), a torn tail, or damage at the end of a sealed file. */
    private void tail(SegmentFile seg, boolean active, ByteBuffer b, int from, int limit, RecordCodec.Read r,
                      List<SegmentFile.Damage> damage) {
        if (!anyNonZero(b, from, limit)) {
            if (!active && from < limit) {
                damage.add(new SegmentFile.Damage(from, limit)); // zero padding: nothing to read, nothing lost
            }
            return;
        }
        corruptions.increment();
        if (active) {
            log.warn("log store {}: segment {} has a torn tail at byte {} ({}); cutting it (nothing valid follows)",
                    dir, seg.id(), from, why(r));
            seg.zeroFrom(from);
        } else {
            damaged(seg, b, from, limit, r);
            damage.add(new SegmentFile.Damage(from, limit));
        }
    }

    private void damaged(SegmentFile seg, ByteBuffer b, int from, int to, RecordCodec.Read r) {
        corruptions.increment();
        Path aside = dir.resolve(seg.path().getFileName() + ".damaged-" + from);
        log.error("log store {}: segment {} is damaged from byte {} to {} ({}); valid records after it are kept, the "
                + "damaged bytes copied to {}", dir, seg.id(), from, to, why(r), aside.getFileName());
        if (!storage.exists(aside)) {
            byte[] bytes = new byte[to - from];
            b.get(from, bytes);
            try {
                storage.write(aside, bytes);
            } catch (RuntimeException e) {
                log.warn("log store {}: cannot copy the damaged bytes aside ({})", dir, e.getMessage());
            }
        }
    }

    private static String why(RecordCodec.Read r) {
        return r instanceof RecordCodec.Corrupt c ? c.why() : "zeroed header";
    }

    /**
     * The offset of the next record that reads back valid, at or after {@code from}, or -1. A record's header always
     * holds a non-zero key length, so runs of zeros are skipped quickly.
     */
    static int nextValidRecord(ByteBuffer b, int from, int limit) {
        int at = from;
        while (at + RecordCodec.HEADER <= limit) {
            int nonZero = firstNonZero(b, at, limit);
            if (nonZero < 0) {
                return -1;
            }
            at = Math.max(at, nonZero - 15); // the key length (bytes 12–15) is non-zero in every header
            if (RecordCodec.read(b, at, limit) instanceof RecordCodec.Ok) {
                return at;
            }
            at++;
        }
        return -1;
    }

    private static int firstNonZero(ByteBuffer b, int from, int limit) {
        int at = from;
        for (; at + 8 <= limit; at += 8) {
            if (b.getLong(at) != 0) {
                break;
            }
        }
        for (; at < limit; at++) {
            if (b.get(at) != 0) {
                return at;
            }
        }
        return -1;
    }

    private static boolean anyNonZero(ByteBuffer b, int from, int limit) {
        return firstNonZero(b, from, limit) >= 0;
    }
}

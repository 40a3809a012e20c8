package io.topaz.agent.broker.store;

import io.micrometer.core.instrument.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Merging: rewrites the live records of every sealed segment into new segments and deletes the old ones, while
 * writers and readers go on. The steps, each safe to stop at (a crash or power loss included):
 *
 * <ol>
 *   <li>Copy: each input's records in order; a record is copied when the key directory points at it. A record that
 *       cannot be read (outside the damage recovery already set aside) aborts the merge: nothing is deleted.
 *   <li>Outputs are written under {@code .tmp} names, sealed (forced), then all renamed and the directory forced.
 *       Any failure up to here removes every output, renamed or not: no output outlives its merge outside the live
 *       set. Hints for the outputs follow (a missing hint only costs a scan at start-up).
 *   <li>Publish: outputs join the live set, and each moved key is pointed at its copy unless a newer put or delete
 *       came meanwhile.
 *   <li>Force the active segment: a record left behind because a newer one superseded it may only go once that newer
 *       one is durable (it may still wait for a group commit).
 *   <li>Delete the inputs, oldest first, forcing the directory after each, so that a power loss keeps a suffix of
 *       them: a tombstone is never lost while an older value it hides survives. If the key directory still points
 *       into an input, none is deleted.
 * </ol>
 */
final class Compactor {

    private static final Logger log = LoggerFactory.getLogger(Compactor.class);

    private final Storage storage;
    private final Path dir;
    private final int segmentBytes;
    private final Segments segments;
    private final KeyDirectory keys;
    private final Counter runs;
    private final Counter aborts;

    private record Move(String key, Location from, Location to) {
    }

    Compactor(Storage storage, Path dir, int segmentBytes, Segments segments, KeyDirectory keys, Counter runs,
              Counter aborts) {
        this.storage = storage;
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.segments = segments;
        this.keys = keys;
        this.runs = runs;
        this.aborts = aborts;
    }

    /** One merge of every sealed segment. Merges are serialized. */
    synchronized LogStore.MergeReport merge(List<SegmentFile> inputs) {
        if (inputs.isEmpty()) {
            return new LogStore.MergeReport(0, 0, 0, 0, 0);
        }
        long before = inputs.stream().mapToLong(SegmentFile::written).sum();
        List<Move> moves = new ArrayList<>();
        List<SegmentFile> outputs = new ArrayList<>();
        try {
            copy(inputs, moves, outputs);
            for (SegmentFile out : outputs) {
                Path real = Segments.dataPath(dir, out.id());
                storage.rename(out.path(), real);
                out.movedTo(real);
            }
            storage.syncDirectory(dir); // every output visible, durably, only now
        } catch (RuntimeException e) {
            aborts.increment();
            removeOutputs(outputs, e);
            throw e;
        }
        for (SegmentFile out : outputs) {
            try {
                HintFile.write(storage, dir, out);
            } catch (RuntimeException e) {
                log.warn("log store {}: no hint for merge output {} ({}); start-up will scan it", dir, out.id(),
                        e.getMessage());
            }
        }
        outputs.forEach(segments::add);
        for (Move m : moves) {
            keys.moveIfUnchanged(m.key(), m.from(), m.to());
        }
        Set<Long> inputIds = inputs.stream().map(SegmentFile::id).collect(Collectors.toSet());
        if (keys.pointsInto(inputIds)) {
            aborts.increment();
            throw new IllegalStateException("log store " + dir + ": after merging, keys still point into segments "
                    + inputIds + "; deleting none of them");
        }
        segments.active().force(); // see the class comment: what superseded the dropped records is on disk
        deleteOldestFirst(inputs);
        long after = outputs.stream().mapToLong(SegmentFile::written).sum();
        runs.increment();
        log.info("log store {}: merged {} segments ({} bytes) into {} ({} bytes)", dir, inputs.size(), before,
                outputs.size(), after);
        return new LogStore.MergeReport(inputs.size(), outputs.size(), before, after, moves.size());
    }

    private void copy(List<SegmentFile> inputs, List<Move> moves, List<SegmentFile> outputs) {
        long[] nextId = {inputs.get(inputs.size() - 1).id() + 1};
        SegmentFile[] out = {null};
        for (SegmentFile in : inputs) {
            in.forEachRecord((offset, rec) -> {
                if (rec.value() == null) {
                    return; // a tombstone: dropped with every segment older than it
                }
                String key = new String(rec.key(), StandardCharsets.UTF_8);
                Location cur = keys.get(key);
                if (cur == null || cur.segment() != in.id() || cur.offset() != offset) {
                    return;
                }
                if (out[0] == null || !out[0].fits(rec.size())) {
                    if (out[0] != null) {
                        out[0].seal();
                    }
                    out[0] = newOutput(nextId[0]++, inputs.size());
                    outputs.add(out[0]);
                }
                int at = out[0].append(rec.timestamp(), rec.key(), rec.value());
                moves.add(new Move(key, cur, new Location(out[0].id(), at, rec.size(), rec.timestamp())));
            });
        }
        if (out[0] != null) {
            out[0].seal();
        }
    }

    private SegmentFile newOutput(long id, int inputCount) {
        if (id % Segments.ID_STEP == 0) {
            throw new IllegalStateException("a merge of " + inputCount + " segments needs more than "
                    + (Segments.ID_STEP - 1) + " outputs; merge more often");
        }
        Path tmp = Segments.temporary(Segments.dataPath(dir, id));
        return new SegmentFile(id, tmp, storage.create(tmp, segmentBytes), 0);
    }

    /** Undoes a failed merge: no output may outlive it outside the live set. */
    private void removeOutputs(List<SegmentFile> outputs, RuntimeException cause) {
        try {
            for (SegmentFile out : outputs) {
                out.close();
                storage.delete(out.path());
            }
            storage.syncDirectory(dir);
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
            // Outputs left on disk hold only copies of records still live in the inputs: recovery reads them as
            // older-than-active data, and the next merge takes them as inputs.
            for (SegmentFile out : outputs) {
                if (out.path().equals(Segments.dataPath(dir, out.id())) && storage.exists(out.path())) {
                    segments.add(out);
                }
            }
        }
    }

    private void deleteOldestFirst(List<SegmentFile> inputs) {
        for (SegmentFile in : inputs) {
            segments.remove(in);
            try {
                storage.delete(Segments.hintPath(dir, in.id()));
                storage.delete(in.path());
                storage.syncDirectory(dir);
            } catch (RuntimeException e) {
                segments.add(in); // still on disk, its records duplicated in the outputs: the next merge retries
                throw e;
            }
            in.close(); // a reader still holding its mapping keeps reading it: unmapping waits for the collector
        }
    }
}

package io.topaz.agent.sync.engine;

import io.topaz.agent.sync.FencedException;
import io.topaz.agent.sync.engine.GroupMetrics.Reason;

import java.sql.SQLException;
import java.util.EnumMap;
import java.util.Map;

/**
 * One incremental reconciliation cycle of a group, {@code [from, to)} of modification time, compared in slices so
 * that a cycle never holds the group's thread — which also runs the live stream — for long: each tick compares one
 * slice, then the live stream gets its turn. A slice's span adapts to the keys it returned: halved when a slice
 * returned more than {@code 2 × keysPerSlice} keys (a busy group: at 5,000 changes a second a 40 s cycle is 200,000
 * keys a side, seconds of queries at once), doubled when it returned fewer than half of them, so a quiet group soon
 * compares its whole cycle in one slice. The span is kept from cycle to cycle; the first is
 * {@link #FIRST_SLICE_MILLIS}. Not thread-safe (one group's worker uses it).
 */
final class ReconcileSlices {

    /** The keys one slice aims at on either side. */
    static final int KEYS_PER_SLICE = 5_000;
    /** The narrowest slice. */
    static final long MIN_SLICE_MILLIS = 100;
    /** The first slice's span, before the group's load is known. */
    static final long FIRST_SLICE_MILLIS = 5_000;

    private final int keysPerSlice;
    private long to; // the cycle's end; 0 while no cycle is open
    private long next; // where the next slice starts
    private long sliceMillis = FIRST_SLICE_MILLIS;
    private int slices;
    private int differences;
    private int repaired;
    private final Map<Reason, Integer> repairs = new EnumMap<>(Reason.class);

    ReconcileSlices(int keysPerSlice) {
        this.keysPerSlice = keysPerSlice;
    }

    /** Whether a cycle is under way (its next slice is due at the next tick). */
    boolean open() {
        return to > 0;
    }

    /** Opens the cycle {@code [from, to)}. */
    void start(long fromMillis, long toMillis) {
        this.next = fromMillis;
        this.to = toMillis;
        this.slices = 0;
        this.differences = 0;
        this.repaired = 0;
        this.repairs.clear();
    }

    /** Where the open cycle ends. */
    long to() {
        return to;
    }

    /** What compares and repairs one slice ({@link Reconciler#cycle}). */
    interface Cycle {
        Reconciler.Result run(long fromMillis, long toMillis) throws SQLException, FencedException;
    }

    /** Compares and repairs the next slice; true when that was the cycle's last (the cycle is then closed). */
    boolean step(Cycle cycle) throws SQLException, FencedException {
        long sliceTo = next + sliceMillis >= to || next + sliceMillis < next ? to : next + sliceMillis;
        Reconciler.Result r = cycle.run(next, sliceTo);
        slices++;
        differences += r.differences();
        repaired += r.repaired();
        r.repairs().forEach((reason, n) -> repairs.merge(reason, n, Integer::sum));
        long span = sliceTo - next;
        if (r.keys() > 2 * keysPerSlice) {
            sliceMillis = Math.max(MIN_SLICE_MILLIS, span / 2);
        } else if (r.keys() < keysPerSlice / 2 && sliceMillis < Long.MAX_VALUE / 8) {
            sliceMillis = Math.max(sliceMillis, Math.max(MIN_SLICE_MILLIS, span) * 2); // (a cycle's short last slice)
        }
        next = sliceTo;
        if (next >= to) {
            to = 0;
            return true;
        }
        return false;
    }

    /** The slice span the next slice will take (ms). */
    long sliceMillis() {
        return sliceMillis;
    }

    /** Slices the last (or open) cycle took. */
    int slices() {
        return slices;
    }

    int differences() {
        return differences;
    }

    int repaired() {
        return repaired;
    }

    Map<Reason, Integer> repairs() {
        return repairs;
    }
}

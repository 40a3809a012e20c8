package io.topaz.agent.broker.queue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.topaz.agent.broker.QueueName;
import io.topaz.agent.broker.store.ConsumeQueue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One (app, group) queue held by this agent: its file of references, its positions, its confirmation window and its
 * in-flight set. Everything here is bounded independently of the backlog: the in-flight set by the in-flight cap, the
 * window by {@code maxWindow}, the file by its three mapped chunks. Guarded by the engine's lock.
 *
 * <p>Positions, all queue indexes: {@code confirmPos ≤ consumePos ≤ durableIndex ≤ file.writeIndex()}. Entries
 * below {@code consumePos} were handed out or skipped; those not done are in flight. Only entries below
 * {@code durableIndex} (durable under the engine's durability) are handed out, so a confirmation never refers to an
 * entry a crash could take back.
 */
final class QueueState {

    final QueueName name;
    final ConsumeQueue file;
    final ConfirmWindow window;
    final Map<Long, InFlight> inFlight = new HashMap<>();
    final TreeSet<InFlight> due = new TreeSet<>(Comparator.<InFlight>comparingLong(f -> f.dueAt)
            .thenComparingLong(f -> f.id).thenComparingLong(f -> f.index));
    /** Log segments of messages whose dead letter or carried copy is not yet durable, with counts: they pin. */
    final TreeMap<Long, Integer> pendingSegments = new TreeMap<>();
    /**
     * Entries done above the consume position: carried-forward references of messages in flight, confirmed before
     * the consume position reached them. At most one per message in flight; moved into the window as the consume
     * position passes them, so the window's bitmap spans only [confirm position, consume position].
     */
    final TreeSet<Long> doneAhead = new TreeSet<>();
    long consumePos;
    long durableIndex;
    volatile long unconfirmed;
    long delivered;
    long confirmed;
    long redelivered;
    long deadLettered;
    long ignored;
    boolean persistWanted;
    boolean stateDirty;
    /** A write this queue's state depends on failed: its state is not saved again in this run. */
    boolean stateBroken;
    final List<Meter> meters = new ArrayList<>();
    Counter deliveredCounter;
    Counter confirmedCounter;
    Counter redeliveredCounter;
    Counter deadLetteredCounter;
    Counter ignoredCounter;

    QueueState(QueueName name, ConsumeQueue file, Codec.State state) {
        this.name = name;
        this.file = file;
        this.window = new ConfirmWindow(state.confirmPos(), state.confirmedAbove());
        window.advanceTo(file.firstIndex()); // chunks trimmed after confirmations the last state did not keep
        this.consumePos = window.confirmPos();
        for (long i : state.doneAhead()) {
            if (i >= consumePos && i < file.writeIndex()) {
                doneAhead.add(i);
            }
        }
        this.durableIndex = file.writeIndex();
        this.delivered = state.delivered();
        this.confirmed = state.confirmed();
        this.redelivered = state.redelivered();
        this.deadLettered = state.deadLettered();
        long done = Math.min(window.doneAbove(), Math.max(0, file.writeIndex() - window.confirmPos()));
        this.unconfirmed = Math.max(0, file.writeIndex() - window.confirmPos() - done - doneAhead.size());
    }

    Codec.State snapshot() {
        return new Codec.State(window.confirmPos(), window.above(),
                doneAhead.stream().mapToLong(Long::longValue).toArray(), delivered, confirmed, redelivered,
                deadLettered);
    }

    /** Marks an entry done (confirmed, dead-lettered, carried or skipped); false when it already was. */
    boolean markDone(long index) {
        if (index > consumePos) {
            if (!doneAhead.add(index)) {
                return false;
            }
        } else if (!window.mark(index)) {
            return false;
        }
        unconfirmed = Math.max(0, unconfirmed - 1);
        consumedTo(window.confirmPos());
        stateDirty = true;
        return true;
    }

    boolean isDone(long index) {
        return window.done(index) || doneAhead.contains(index);
    }

    /** Moves the consume position up to {@code index}, taking the entries done ahead of it into the window. */
    void consumedTo(long index) {
        if (index <= consumePos) {
            return;
        }
        while (!doneAhead.isEmpty() && doneAhead.first() < index) {
            window.mark(doneAhead.pollFirst());
        }
        consumePos = index;
        if (window.confirmPos() > consumePos) {
            consumedTo(window.confirmPos());
        }
    }

    void addInFlight(InFlight f) {
        inFlight.put(f.id, f);
        due.add(f);
    }

    InFlight removeInFlight(long id) {
        InFlight f = inFlight.remove(id);
        if (f != null) {
            due.remove(f);
        }
        return f;
    }

    void reschedule(InFlight f, long dueAt) {
        due.remove(f);
        f.dueAt = dueAt;
        due.add(f);
    }

    void pin(long segment) {
        pendingSegments.merge(segment, 1, Integer::sum);
    }

    void unpin(long segment) {
        pendingSegments.computeIfPresent(segment, (k, n) -> n == 1 ? null : n - 1);
    }

    boolean writesPending() {
        return !pendingSegments.isEmpty();
    }

    long window() {
        return consumePos - window.confirmPos();
    }
}

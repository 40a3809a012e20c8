package io.topaz.agent.broker.push.confirm;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The push connections' confirmations on their way to the broker: one FIFO in three tiers, as TOP keeps its
 * in-flight confirmation state — HeapMemory → DirectMemory → FileSystem. {@link #offer} (any thread, an event loop
 * included: it never touches a file and never waits for the drainer) places a confirmation in
 * <ol>
 *   <li>the <b>heap</b> tier (a deque of at most {@code heapEntries}) while the tiers below are empty,</li>
 *   <li>else the <b>direct</b> tier (an off-heap buffer of {@code directBytes}, {@link DirectTier}) while the file
 *       tier is empty,</li>
 *   <li>else the <b>file</b> tier: a hand-over deque the drainer writes to the files ({@link FileTier}) before it
 *       reads anything.</li>
 * </ol>
 * So every confirmation in the heap is older than every one in direct memory, which is older than every one in the
 * files; {@link #take} returns the oldest, heap first, then direct, then files — FIFO across the tiers, and what
 * overflowed comes back in order. Once the files hold something, new confirmations follow them through the files
 * until the drainer has caught up (that is the price of the order).
 *
 * <p>Thread-safety: the memory tiers are guarded by this object's monitor, held only for in-memory work; the
 * {@link FileTier} is used by the drainer thread only ({@link #spill}, {@link #take}).
 */
public final class ConfirmQueue {

    /** Where a batch was taken from. */
    public enum Tier { HEAP, DIRECT, FILE }

    /** Confirmations taken together, all from one tier, oldest first. */
    public record Batch(Tier tier, List<Confirmation> items) {
        public boolean isEmpty() {
            return items.isEmpty();
        }
    }

    private final int heapEntries;
    private final ArrayDeque<Confirmation> heap = new ArrayDeque<>();
    private final DirectTier direct;
    /** Offered for the file tier, not yet written by the drainer. */
    private final ArrayDeque<Confirmation> toFile = new ArrayDeque<>();
    private final FileTier files;
    /** Records in the files (or being written to them) not yet taken: while above 0, offers go to the file tier. */
    private long inFiles;
    private final long[] offered = new long[Tier.values().length];
    private Runnable onOffer = () -> { };
    private boolean closed;

    ConfirmQueue(int heapEntries, long directBytes, FileTier files) {
        if (heapEntries < 0) {
            throw new IllegalArgumentException("heap tier of " + heapEntries + " confirmations");
        }
        this.heapEntries = heapEntries;
        this.direct = new DirectTier(directBytes);
        this.files = files;
        this.inFiles = files.count();
    }

    /** Called after each offer (to wake the drainer); must not block. */
    void onOffer(Runnable r) {
        this.onOffer = r;
    }

    /** Appends {@code c} at the tail; returns the tier it went to, or null once closed. Never blocks, never does I/O. */
    public Tier offer(Confirmation c) {
        Tier t;
        synchronized (this) {
            if (closed) {
                return null;
            }
            if (inFiles == 0 && toFile.isEmpty() && direct.isEmpty() && heap.size() < heapEntries) {
                heap.addLast(c);
                t = Tier.HEAP;
            } else if (inFiles == 0 && toFile.isEmpty() && direct.offer(c)) {
                t = Tier.DIRECT;
            } else {
                toFile.addLast(c);
                t = Tier.FILE;
            }
            offered[t.ordinal()]++;
        }
        onOffer.run();
        return t;
    }

    /** Drainer only: writes what was offered for the file tier to the files. Returns how many. */
    int spill() {
        List<Confirmation> out;
        synchronized (this) {
            if (toFile.isEmpty()) {
                return 0;
            }
            out = new ArrayList<>(toFile);
            toFile.clear();
            inFiles += out.size(); // offers keep going to the file tier while these are written
        }
        try {
            files.append(out);
        } catch (RuntimeException e) {
            synchronized (this) {
                inFiles -= out.size(); // lost: their messages come back after the redelivery timeout
            }
            throw e;
        }
        return out.size();
    }

    /** Drainer only: up to {@code max} of the oldest confirmations, from the first tier that holds any. */
    Batch take(int max) {
        synchronized (this) {
            if (!heap.isEmpty()) {
                List<Confirmation> out = new ArrayList<>(Math.min(max, heap.size()));
                while (!heap.isEmpty() && out.size() < max) {
                    out.add(heap.pollFirst());
                }
                return new Batch(Tier.HEAP, out);
            }
            if (!direct.isEmpty()) {
                return new Batch(Tier.DIRECT, direct.take(max));
            }
            if (inFiles == 0) {
                return new Batch(Tier.HEAP, List.of());
            }
        }
        List<Confirmation> read = files.read(max);
        synchronized (this) {
            inFiles -= read.size();
            if (read.isEmpty() && files.count() == 0) {
                inFiles = 0; // damaged records skipped: nothing more to read
            }
        }
        return new Batch(Tier.FILE, read);
    }

    /** Drainer only: a batch taken from the files was applied; their fully read files go. */
    void committed() {
        files.commit();
    }

    /** Drainer only, at shutdown: everything still in memory goes to the files, in order; the files are closed. */
    void persistAndClose() {
        List<Confirmation> older = new ArrayList<>();
        List<Confirmation> newer;
        synchronized (this) {
            older.addAll(heap);
            heap.clear();
            older.addAll(direct.take(Integer.MAX_VALUE));
            newer = new ArrayList<>(toFile);
            toFile.clear();
            direct.release();
            closed = true;
        }
        files.prepend(older);
        files.append(newer);
        files.close();
    }

    /** Waiting confirmations per tier now (the file tier's include those offered and not yet written). */
    public synchronized long pending(Tier t) {
        return switch (t) {
            case HEAP -> heap.size();
            case DIRECT -> direct.size();
            case FILE -> inFiles + toFile.size();
        };
    }

    /** Confirmations offered to each tier since the start. */
    public synchronized long offered(Tier t) {
        return offered[t.ordinal()];
    }

    public synchronized boolean isEmpty() {
        return heap.isEmpty() && direct.isEmpty() && toFile.isEmpty() && inFiles == 0;
    }
}

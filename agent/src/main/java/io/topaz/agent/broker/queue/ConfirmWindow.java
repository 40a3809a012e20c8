package io.topaz.agent.broker.queue;

import java.util.BitSet;

/**
 * A queue's confirmations, compactly: the confirm position (every entry below it is done — confirmed, dead-lettered
 * or carried forward) and a bitmap of the entries done above it. The bitmap spans from the confirm position to the
 * highest entry done, which the engine keeps bounded ({@link QueueEngine.Options#maxWindow()}). Not thread-safe.
 */
final class ConfirmWindow {

    private static final int COMPACT_AFTER = 4096;

    private long confirmPos;
    private long base;
    private BitSet bits;

    ConfirmWindow(long confirmPos, BitSet above) {
        this.confirmPos = confirmPos;
        this.base = confirmPos;
        this.bits = (BitSet) above.clone();
        advance();
    }

    long confirmPos() {
        return confirmPos;
    }

    boolean done(long index) {
        return index < confirmPos || bits.get(Math.toIntExact(index - base));
    }

    /** Marks {@code index} done; returns false when it already was. */
    boolean mark(long index) {
        if (done(index)) {
            return false;
        }
        bits.set(Math.toIntExact(index - base));
        advance();
        return true;
    }

    /**
     * Everything below {@code index} is done (its queue chunks were trimmed after confirmations a crash kept from the
     * durable state); returns how many entries that marked.
     */
    long advanceTo(long index) {
        if (index <= confirmPos) {
            return 0;
        }
        long marked = 0;
        BitSet above = above();
        long delta = index - confirmPos;
        marked = delta - (delta >= above.length() ? above.cardinality() : above.get(0, (int) delta).cardinality());
        bits = delta >= above.length() ? new BitSet() : above.get((int) delta, above.length());
        confirmPos = index;
        base = index;
        advance();
        return marked;
    }

    /** The entries done above the confirm position. */
    int doneAbove() {
        int from = (int) (confirmPos - base);
        return bits.length() <= from ? 0 : bits.get(from, bits.length()).cardinality();
    }

    /** One past the highest entry marked done, or the confirm position. */
    long highestDone() {
        return Math.max(confirmPos, base + bits.length());
    }

    /** The bits above the confirm position, for the durable state. */
    BitSet above() {
        int from = (int) (confirmPos - base);
        return bits.length() <= from ? new BitSet() : bits.get(from, bits.length());
    }

    /** How many bits the window holds in memory (for the memory tests). */
    int span() {
        return bits.length();
    }

    private void advance() {
        int at = (int) (confirmPos - base);
        int next = bits.nextClearBit(at);
        confirmPos = base + next;
        if (confirmPos - base > COMPACT_AFTER) {
            int from = (int) (confirmPos - base);
            bits = bits.length() <= from ? new BitSet() : bits.get(from, bits.length());
            base = confirmPos;
        }
    }
}

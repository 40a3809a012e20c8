package io.topaz.agent.broker.push.confirm;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.ArrayList;
import java.util.List;

/**
 * The middle tier: a FIFO of encoded confirmations ({@code int16 length} + {@link Confirmation} bytes) in one
 * direct (off-heap) buffer of a fixed capacity, allocated at start and freed at {@link #release()}. Space read is
 * reclaimed by moving the unread bytes to the front when an append would not fit otherwise. Not thread-safe: the
 * {@link ConfirmQueue}'s lock guards it.
 */
final class DirectTier {

    private final ByteBuf buf;
    private int count;

    /** @param capacity bytes; 0 disables the tier (nothing fits) */
    DirectTier(long capacity) {
        if (capacity < 0 || capacity > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("direct tier of " + capacity + " bytes: 0 to 2 GiB");
        }
        this.buf = Unpooled.directBuffer((int) capacity, (int) capacity);
    }

    /** Appends {@code c} unless it does not fit; never allocates. */
    boolean offer(Confirmation c) {
        int need = 2 + c.size();
        if (buf.capacity() - buf.readableBytes() < need) {
            return false;
        }
        if (buf.writableBytes() < need) {
            buf.discardReadBytes();
        }
        buf.writeShort(need - 2);
        c.writeTo(buf);
        count++;
        return true;
    }

    /** Up to {@code max} of the oldest, removed. */
    List<Confirmation> take(int max) {
        List<Confirmation> out = new ArrayList<>(Math.min(max, count));
        while (count > 0 && out.size() < max) {
            buf.skipBytes(2);
            out.add(Confirmation.readFrom(buf));
            count--;
        }
        if (count == 0) {
            buf.clear();
        }
        return out;
    }

    boolean isEmpty() {
        return count == 0;
    }

    int size() {
        return count;
    }

    /** Bytes held now. */
    int bytes() {
        return buf.readableBytes();
    }

    void release() {
        buf.release();
    }
}

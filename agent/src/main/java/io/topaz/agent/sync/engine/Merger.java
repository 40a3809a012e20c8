package io.topaz.agent.sync.engine;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Merges changes to one order that arrive within the window: the first message of an order opens its window; every
 * message for it until the window closes joins it; when it closes the order is due — one source read and one target
 * write for all of them. Orders come out in the order their windows opened. Bounded: {@link #full()} once
 * {@code maxOrders} orders or {@code maxMessages} messages wait, and the caller stops consuming. Not thread-safe (one
 * group's worker uses it).
 */
final class Merger {

    /** One order waiting for its window to close, with the messages to confirm once it is written. */
    static final class Pending {
        final long tid;
        final long openedMillis;
        long maxModifiedMillis;
        /** True when some message had no {@code modified}: the order must be read. */
        boolean unknownModified;
        long[] messageIds = new long[2];
        int messages;

        Pending(long tid, long openedMillis) {
            this.tid = tid;
            this.openedMillis = openedMillis;
        }

        void add(long messageId, long modifiedMillis) {
            for (int i = 0; i < messages; i++) {
                if (messageIds[i] == messageId) {
                    return; // a redelivery of a message already waiting
                }
            }
            if (messages == messageIds.length) {
                messageIds = Arrays.copyOf(messageIds, messages * 2);
            }
            messageIds[messages++] = messageId;
            maxModifiedMillis = Math.max(maxModifiedMillis, modifiedMillis);
            unknownModified |= modifiedMillis <= 0;
        }

        long[] ids() {
            return Arrays.copyOf(messageIds, messages);
        }
    }

    private final Clock clock;
    private final long windowMillis;
    private final int maxOrders;
    private final int maxMessages;
    private final LinkedHashMap<Long, Pending> pending = new LinkedHashMap<>();
    private int messages;

    Merger(Clock clock, long windowMillis, int maxOrders, int maxMessages) {
        this.clock = clock;
        this.windowMillis = windowMillis;
        this.maxOrders = maxOrders;
        this.maxMessages = maxMessages;
    }

    /** Adds one message; true when it joined an order already waiting (merged). */
    boolean add(long tid, long messageId, long modifiedMillis) {
        Pending p = pending.get(tid);
        boolean merged = p != null;
        if (p == null) {
            p = new Pending(tid, clock.millis());
            pending.put(tid, p);
        }
        int before = p.messages;
        p.add(messageId, modifiedMillis);
        messages += p.messages - before;
        return merged;
    }

    /** Up to {@code max} orders whose window has closed, oldest first, removed from the merger. */
    List<Pending> takeDue(int max) {
        long now = clock.millis();
        List<Pending> out = new ArrayList<>();
        Iterator<Pending> it = pending.values().iterator();
        while (it.hasNext() && out.size() < max) {
            Pending p = it.next();
            if (p.openedMillis + windowMillis > now) {
                break;
            }
            it.remove();
            messages -= p.messages;
            out.add(p);
        }
        return out;
    }

    /** Takes every waiting order, closed or not (the group is stopping; the caller fails their messages). */
    List<Pending> takeAll() {
        List<Pending> out = new ArrayList<>(pending.values());
        pending.clear();
        messages = 0;
        return out;
    }

    /** The newest modified a waiting message named for {@code tid}, or -1 when none waits. */
    long waiting(long tid) {
        Pending p = pending.get(tid);
        return p == null ? -1 : p.maxModifiedMillis;
    }

    boolean full() {
        return pending.size() >= maxOrders || messages >= maxMessages;
    }

    int orders() {
        return pending.size();
    }

    int messages() {
        return messages;
    }
}

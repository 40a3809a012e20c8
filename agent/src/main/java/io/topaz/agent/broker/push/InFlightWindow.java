package io.topaz.agent.broker.push;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One connection's flow-control bookkeeping: the messages pushed and not yet answered (id → when written, nanoTime)
 * and the {@link FlowWindow} sized from the connection's confirmation rate; {@link #room} is how many more may be
 * pushed now. Not thread-safe: the connection's event loop uses it.
 */
final class InFlightWindow {

    private final Map<Long, Long> pushedAt = new LinkedHashMap<>();
    private final FlowWindow window;

    InFlightWindow(int max, long nowNanos) {
        this.window = FlowWindow.forMax(max, nowNanos);
    }

    /** How many more messages the window takes now (0 or less: full). */
    int room(long nowNanos) {
        return window.size(pushedAt.size(), nowNanos) - pushedAt.size();
    }

    void pushed(long id, long atNanos) {
        pushedAt.put(id, atNanos);
    }

    /**
     * The client answered {@code id}: it leaves the window (a confirm also counts toward the rate). Returns when it
     * was pushed, or null when it was not in flight on this connection.
     */
    Long answered(long id, boolean failed, long nowNanos) {
        Long at = pushedAt.remove(id);
        if (at != null && !failed) {
            window.confirmed(nowNanos);
        }
        return at;
    }

    /** Empties the window: the ids still in flight, oldest first. */
    long[] releaseAll() {
        long[] ids = pushedAt.keySet().stream().mapToLong(Long::longValue).toArray();
        pushedAt.clear();
        return ids;
    }

    int size() {
        return pushedAt.size();
    }

    /** The measured confirmation rate per second, or -1 before the first busy period. */
    double rate() {
        return window.rate();
    }
}

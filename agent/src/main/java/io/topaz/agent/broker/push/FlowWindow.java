package io.topaz.agent.broker.push;

/**
 * One connection's flow-control window — how many messages may be pushed and not yet confirmed — sized from the
 * connection's measured confirmation rate: {@code rate × budget}, between {@code min} and {@code max}. A client that
 * confirms 2,000 messages a second gets a window of 2,000 for a one-second budget (capped at {@code max}); one that
 * stops confirming while messages wait drops to {@code min}, so a slow consumer holds few messages hidden from the
 * group's other connections. The rate is an exponentially weighted average over sample periods; a period in which
 * nothing was in flight and nothing confirmed (an idle queue) leaves it unchanged.
 *
 * <p>Not thread-safe: one connection's event loop uses it. Time comes from the caller (nanoTime), for tests.
 */
final class FlowWindow {

    /** How long a rate sample lasts. */
    static final long PERIOD_NANOS = 250_000_000L;
    private static final double WEIGHT = 0.5;

    private final int min;
    private final int max;
    private final double budgetSeconds;
    private double rate = -1; // confirmations per second; -1 until the first busy period
    private long periodStart;
    private int confirms;
    private boolean busy;
    private int size;

    /**
     * @param min           the smallest window (at least 1)
     * @param initial       the window before any rate is known
     * @param max           the largest window
     * @param budgetSeconds how many seconds of the measured rate the window holds
     */
    FlowWindow(int min, int initial, int max, double budgetSeconds, long nowNanos) {
        if (min < 1 || initial < min || max < initial || budgetSeconds <= 0) {
            throw new IllegalArgumentException("window " + min + " ≤ " + initial + " ≤ " + max + ", budget "
                    + budgetSeconds);
        }
        this.min = min;
        this.max = max;
        this.budgetSeconds = budgetSeconds;
        this.size = initial;
        this.periodStart = nowNanos;
    }

    /** The connection's default window for a largest window of {@code max}. */
    static FlowWindow forMax(int max, long nowNanos) {
        return new FlowWindow(Math.min(4, max), Math.min(16, max), max, 1.0, nowNanos);
    }

    /** The window now, given how many messages are in flight. */
    int size(int inFlight, long nowNanos) {
        roll(inFlight, nowNanos);
        return size;
    }

    void confirmed(long nowNanos) {
        confirms++;
        busy = true;
    }

    /** The measured confirmation rate per second, or -1 before the first busy period. */
    double rate() {
        return rate;
    }

    private void roll(int inFlight, long now) {
        if (inFlight > 0) {
            busy = true;
        }
        long elapsed = now - periodStart;
        if (elapsed < PERIOD_NANOS) {
            return;
        }
        if (busy) {
            double sample = confirms * 1e9 / elapsed;
            rate = rate < 0 ? sample : WEIGHT * sample + (1 - WEIGHT) * rate;
            size = (int) Math.max(min, Math.min(max, Math.ceil(rate * budgetSeconds)));
        }
        periodStart = now;
        confirms = 0;
        busy = inFlight > 0;
    }
}

package io.topaz.agent.sync.engine;

/**
 * Events per second over the last minute: 60 one-second buckets in a ring, advanced by the caller's clock. The lags of
 * the last minute are kept beside them (a bounded ring of (time, lag)), for the load report's p99. Thread-safe.
 */
final class RateWindow {

    private static final int SECONDS = 60;

    private final long[] counts = new long[SECONDS];
    private long second;
    private final long[] lagAt;
    private final long[] lags;
    private int nextLag;
    private int lagCount;

    RateWindow(long nowMillis, int maxLags) {
        this.second = nowMillis / 1000;
        this.lagAt = new long[maxLags];
        this.lags = new long[maxLags];
    }

    synchronized void add(long n, long nowMillis) {
        advance(nowMillis);
        counts[(int) (second % SECONDS)] += n;
    }

    synchronized void lag(long millis, long nowMillis) {
        lagAt[nextLag] = nowMillis;
        lags[nextLag] = millis;
        nextLag = (nextLag + 1) % lags.length;
        lagCount = Math.min(lagCount + 1, lags.length);
    }

    /** Events per second over the last minute (the current second included). */
    synchronized double perSecond(long nowMillis) {
        advance(nowMillis);
        long sum = 0;
        for (long c : counts) {
            sum += c;
        }
        return sum / (double) SECONDS;
    }

    /** The p99 of the lags recorded in the last minute, 0 when none. */
    long lagP99(long nowMillis) {
        long[] recent;
        synchronized (this) {
            recent = new long[lagCount];
            int n = 0;
            for (int i = 0; i < lagCount; i++) {
                if (nowMillis - lagAt[i] < SECONDS * 1000L) {
                    recent[n++] = lags[i];
                }
            }
            recent = java.util.Arrays.copyOf(recent, n);
        }
        if (recent.length == 0) {
            return 0;
        }
        java.util.Arrays.sort(recent);
        return recent[Math.max(0, Math.min(recent.length - 1, (int) Math.ceil(0.99 * recent.length) - 1))];
    }

    private void advance(long nowMillis) {
        long s = nowMillis / 1000;
        if (s <= second) {
            return;
        }
        for (long i = second + 1; i <= Math.min(s, second + SECONDS); i++) {
            counts[(int) (i % SECONDS)] = 0;
        }
        second = s;
    }
}

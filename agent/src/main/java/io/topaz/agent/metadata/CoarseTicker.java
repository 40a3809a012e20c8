package io.topaz.agent.metadata;

import com.github.benmanes.caffeine.cache.Ticker;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A ticker that reads a volatile field a daemon thread refreshes every {@value #PERIOD_MILLIS} ms. The metadata cache
 * reads the time several times per lookup (its own freshness check, Caffeine's expiry and refresh checks);
 * {@link System#nanoTime()} costs tens of nanoseconds on virtual machines whose clock source is not the TSC, this
 * costs one. Ten-millisecond precision is ample for entries that live for minutes, and the thread wakes 100 times a
 * second: at a period of 1 ms its 1,000 wake-ups a second (two futex calls and a context switch each) were the agent's
 * busiest source of system calls under load, taking a core away from the event loops for no gain.
 */
final class CoarseTicker implements Ticker, AutoCloseable {

    static final long PERIOD_MILLIS = 10;

    private final ScheduledExecutorService updater;
    private volatile long now = System.nanoTime();

    CoarseTicker() {
        updater = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "topaz-coarse-ticker");
            t.setDaemon(true);
            return t;
        });
        updater.scheduleAtFixedRate(() -> now = System.nanoTime(), PERIOD_MILLIS, PERIOD_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    @Override
    public long read() {
        return now;
    }

    @Override
    public void close() {
        updater.shutdownNow();
    }
}

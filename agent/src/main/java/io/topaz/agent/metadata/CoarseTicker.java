package io.topaz.agent.metadata;

import com.github.benmanes.caffeine.cache.Ticker;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A ticker that reads a volatile field a daemon thread refreshes every millisecond. The metadata cache reads the time
 * several times per lookup (its own freshness check, Caffeine's expiry and refresh checks); {@link System#nanoTime()}
 * costs tens of nanoseconds on virtual machines whose clock source is not the TSC, this costs one. Millisecond
 * precision is ample for entries that live for minutes.
 */
final class CoarseTicker implements Ticker, AutoCloseable {

    private final ScheduledExecutorService updater;
    private volatile long now = System.nanoTime();

    CoarseTicker() {
        updater = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "topaz-coarse-ticker");
            t.setDaemon(true);
            return t;
        });
        updater.scheduleAtFixedRate(() -> now = System.nanoTime(), 1, 1, TimeUnit.MILLISECONDS);
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

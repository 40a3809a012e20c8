package io.topaz.console.common;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Calls the view-models' periodic refreshes (fleet, rollout progress, the connection probe) on the UI thread at a
 * fixed rate. Each refresh starts its own background call, so a slow control plane never stacks work on the UI thread.
 * View-model tests call the refresh methods directly instead.
 */
public final class Poller implements AutoCloseable {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "console-poller");
        t.setDaemon(true);
        return t;
    });
    private final Executor ui;

    public Poller(Executor ui) {
        this.ui = ui;
    }

    public void every(Duration period, Runnable onUiThread) {
        timer.scheduleWithFixedDelay(() -> ui.execute(onUiThread), period.toMillis(), period.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}

package io.topaz.console.common;

import io.topaz.console.controlplane.ControlPlaneException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Runs control-plane calls off the UI thread and hands their outcome back on it. Every outcome also updates the
 * {@link ConnectionStatus}, so any screen's failed call raises the "lost" banner and any answer clears it.
 *
 * <p>The two executors are passed in: the application uses a thread pool and {@code Platform::runLater}; view-model
 * tests pass {@code Runnable::run} for both, so a call completes before the method under test returns.
 */
public final class BackgroundWork {

    private static final Logger log = LoggerFactory.getLogger(BackgroundWork.class);

    private final Executor background;
    private final Executor ui;
    private final ConnectionStatus connection;

    public BackgroundWork(Executor background, Executor ui, ConnectionStatus connection) {
        this.background = background;
        this.ui = ui;
        this.connection = connection;
    }

    /** A pair of executors that run everything at once on the calling thread, for tests and tools. */
    public static BackgroundWork direct(ConnectionStatus connection) {
        return new BackgroundWork(Runnable::run, Runnable::run, connection);
    }

    public ConnectionStatus connection() {
        return connection;
    }

    /**
     * Runs {@code task} in the background; then, on the UI thread, {@code onSuccess} with its result or
     * {@code onFailure} with a {@link ControlPlaneException} (any other exception is logged and wrapped, so a screen
     * never shows a stack trace).
     */
    public <T> void run(Callable<T> task, Consumer<? super T> onSuccess, Consumer<ControlPlaneException> onFailure) {
        submit(() -> {
            T result;
            try {
                result = task.call();
            } catch (ControlPlaneException e) {
                ui.execute(() -> {
                    connection.failed(e);
                    if (e.problem() != ControlPlaneException.Problem.UNREACHABLE) {
                        connection.answered();
                    }
                    onFailure.accept(e);
                });
                return;
            } catch (Exception | LinkageError e) {
                log.error("unexpected failure in background work", e);
                ControlPlaneException wrapped = new ControlPlaneException(ControlPlaneException.Problem.FAILED, 0,
                        "unexpected error in the console: " + e + " (details in the console's log)", List.of());
                ui.execute(() -> onFailure.accept(wrapped));
                return;
            }
            ui.execute(() -> {
                connection.answered();
                onSuccess.accept(result);
            });
        });
    }

    /** Runs a task that is not a control-plane call (e.g. reading a file) off the UI thread. */
    public void runInBackground(Runnable task) {
        submit(task);
    }

    /**
     * Hands {@code task} to the background executor; once the console is closing (its executor shut down) a screen's
     * periodic refresh may still ask, and the task is dropped instead of failing on the UI thread.
     */
    private void submit(Runnable task) {
        try {
            background.execute(task);
        } catch (RejectedExecutionException e) {
            log.debug("the console is closing: background work dropped", e);
        }
    }

    public void runOnUi(Runnable task) {
        ui.execute(task);
    }
}

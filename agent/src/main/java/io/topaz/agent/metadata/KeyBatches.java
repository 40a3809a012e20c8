package io.topaz.agent.metadata;

import io.micrometer.core.instrument.Counter;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Coalesces the keys a cache misses into batches for the metadata source: one batch in flight at a time, of at most
 * {@link #MAX_BATCH} keys; keys asked for meanwhile wait (one future per key, however many callers) and go in the
 * next batch. The waiting keys are bounded: past {@link #MAX_PENDING}, a key is refused at once, so a slow control
 * plane under a burst of misses costs callers a quick code 10, not the agent's memory.
 *
 * @param <E> what a batch's load completes each key's future with
 */
final class KeyBatches<E> {

    static final int MAX_BATCH = 1_000;
    /** Keys that may wait while a batch is in flight (ten batches). */
    static final int MAX_PENDING = 10 * MAX_BATCH;

    private final Function<Map<String, CompletableFuture<E>>, CompletableFuture<Void>> load;
    private final Counter overflow;
    private final Object lock = new Object();
    private final Map<String, CompletableFuture<E>> pending = new LinkedHashMap<>();
    private boolean inFlight;

    /**
     * @param load     loads one batch, completing every future of it; the returned future completes when it is done
     * @param overflow counts the keys refused because {@link #MAX_PENDING} were already waiting
     */
    KeyBatches(Function<Map<String, CompletableFuture<E>>, CompletableFuture<Void>> load, Counter overflow) {
        this.load = load;
        this.overflow = overflow;
    }

    /** The future of {@code key}'s load: joins a waiting one, or queues the key and starts a batch if none is out. */
    CompletableFuture<E> enqueue(String key) {
        CompletableFuture<E> f;
        boolean start;
        synchronized (lock) {
            f = pending.get(key);
            if (f == null) {
                if (pending.size() >= MAX_PENDING) {
                    overflow.increment();
                    return CompletableFuture.failedFuture(new IllegalStateException(MAX_PENDING
                            + " keys are already waiting for the metadata source"));
                }
                f = new CompletableFuture<>();
                pending.put(key, f);
            }
            start = !inFlight;
            inFlight = true;
        }
        if (start) {
            flush();
        }
        return f;
    }

    /** Sends what is pending as one batch; when it completes, sends what piled up meanwhile. */
    private void flush() {
        Map<String, CompletableFuture<E>> batch = new HashMap<>();
        synchronized (lock) {
            var it = pending.entrySet().iterator();
            while (it.hasNext() && batch.size() < MAX_BATCH) {
                var e = it.next();
                batch.put(e.getKey(), e.getValue());
                it.remove();
            }
            if (batch.isEmpty()) {
                inFlight = false;
                return;
            }
        }
        load.apply(batch).whenComplete((ignored, err) -> flush());
    }
}

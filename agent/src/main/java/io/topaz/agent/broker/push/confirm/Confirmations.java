package io.topaz.agent.broker.push.confirm;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.topaz.agent.broker.Broker;
import io.topaz.agent.broker.QueueName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Push confirmations (client {@code __kind} 2 and 20, and a closed connection's unconfirmed messages) applied to the
 * broker in order, through the tiered {@link ConfirmQueue}: {@link #offer} on the connection's event loop, a drainer
 * thread ({@code topaz-push-confirm}) that writes overflow to the files, takes the oldest batch and applies it with
 * one {@code Broker.confirm} per queue, waiting for the answers before the next batch.
 *
 * <p><b>Metric.</b> {@code topaz.push.confirm.tier{tier=heap|direct|file}} counts confirmations <em>applied</em>, by
 * the tier they were taken from; one taken from the heap or direct tier was never written to disk. The gauge
 * {@code topaz.push.confirm.memory.share} is {@code (heap + direct) / (heap + direct + file)} of those counts since
 * the start — the share of confirmations completed without disk I/O — and 1 before the first. A confirmation
 * replayed from the files after a restart counts again, as {@code file}. {@code topaz.push.confirm.pending{tier}}
 * is what waits in each tier now; {@code topaz.push.confirm.errors} counts confirm calls that failed or timed out
 * (those messages stay in flight at the owner and are delivered again after the redelivery timeout).
 *
 * <p><b>Shutdown</b> ({@link #close()}): the drainer applies what is queued for up to {@code applyTimeout}, then
 * writes what is left — memory tiers first, in order — to the files, which the next start applies first. Offers
 * after that (connections still served while the agent hands its queues over) go straight to the broker.
 */
public final class Confirmations implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(Confirmations.class);
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** While the broker has not answered a batch, offers for the file tier are written this often. */
    private static final long SPILL_EVERY_MILLIS = 20;

    private final Broker broker;
    private final ConfirmSettings settings;
    private final ConfirmQueue queue;
    private final AtomicLong[] completed = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
    private final Counter errors;
    private final AtomicBoolean sleeping = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final Thread drainer;

    private Confirmations(Broker broker, ConfirmSettings settings, MeterRegistry registry) {
        this.broker = broker;
        this.settings = settings;
        Path dir = settings.dir();
        try {
            if (dir == null) {
                dir = Files.createTempDirectory("topaz-push-confirm");
                dir.toFile().deleteOnExit(); // empty once drained: the file tier deletes applied files
            }
        } catch (IOException e) {
            throw new UncheckedIOException("no directory for the confirmation files", e);
        }
        this.queue = new ConfirmQueue(settings.heapEntries(), settings.directBytes(),
                new FileTier(dir, settings.fileBytes()));
        for (ConfirmQueue.Tier t : ConfirmQueue.Tier.values()) {
            String tier = t.name().toLowerCase(Locale.ROOT);
            FunctionCounter.builder("topaz.push.confirm.tier", completed[t.ordinal()], AtomicLong::get).tag("tier", tier)
                    .description("push confirmations applied, by the tier they were taken from").register(registry);
            Gauge.builder("topaz.push.confirm.pending", queue, q -> q.pending(t)).tag("tier", tier)
                    .description("push confirmations waiting in the tier now").register(registry);
        }
        Gauge.builder("topaz.push.confirm.memory.share", this, Confirmations::memoryShare)
                .description("share of push confirmations applied without disk I/O (heap or direct tier)")
                .register(registry);
        errors = Counter.builder("topaz.push.confirm.errors")
                .description("push confirm calls to the broker that failed or timed out").register(registry);
        drainer = new Thread(this::drain, "topaz-push-confirm");
        drainer.setDaemon(true);
        queue.onOffer(this::wake);
        drainer.start();
    }

    public static Confirmations start(Broker broker, ConfirmSettings settings, MeterRegistry registry) {
        return new Confirmations(broker, settings, registry);
    }

    /** Queues confirmed (or failed) ids of {@code q}, in order. Any thread; never blocks, never does I/O. */
    public void offer(QueueName q, long id, boolean failed) {
        if (closing.get()) {
            direct(q, id, failed);
            return;
        }
        if (queue.offer(new Confirmation(q, id, failed)) == null) {
            direct(q, id, failed);
        }
    }

    /** After {@link #close()} (the agent stopping while its connections are still served): straight to the broker. */
    private void direct(QueueName q, long id, boolean failed) {
        long[] one = {id};
        long[] none = {};
        try {
            broker.confirm(q, failed ? none : one, failed ? one : none).whenComplete((o, err) -> {
                if (err != null) {
                    errors.increment();
                }
            });
        } catch (RuntimeException e) {
            errors.increment();
        }
    }

    public void offer(QueueName q, long[] ids, boolean failed) {
        for (long id : ids) {
            offer(q, id, failed);
        }
    }

    /** Applied confirmations that came from {@code t}. */
    public long completed(ConfirmQueue.Tier t) {
        return completed[t.ordinal()].get();
    }

    /** Confirmations offered to {@code t} since the start. */
    public long offered(ConfirmQueue.Tier t) {
        return queue.offered(t);
    }

    /** {@code (heap + direct) / all} of the applied confirmations; 1 before the first. */
    public double memoryShare() {
        long memory = completed(ConfirmQueue.Tier.HEAP) + completed(ConfirmQueue.Tier.DIRECT);
        long all = memory + completed(ConfirmQueue.Tier.FILE);
        return all == 0 ? 1.0 : (double) memory / all;
    }

    /** Nothing waits in any tier. */
    public boolean idle() {
        return queue.isEmpty();
    }

    private void wake() {
        if (sleeping.get() && sleeping.compareAndSet(true, false)) {
            LockSupport.unpark(drainer);
        }
    }

    private void drain() {
        long deadline = 0;
        while (true) {
            if (closing.get()) {
                if (deadline == 0) {
                    deadline = System.nanoTime() + settings.applyTimeout().toNanos();
                }
                if (queue.isEmpty() || System.nanoTime() - deadline > 0) {
                    break;
                }
            }
            try {
                queue.spill();
                ConfirmQueue.Batch b = queue.take(settings.batch());
                if (b.isEmpty()) {
                    if (closing.get()) {
                        break;
                    }
                    sleeping.set(true);
                    if (queue.isEmpty()) {
                        LockSupport.parkNanos(IDLE_PARK_NANOS);
                    }
                    sleeping.set(false);
                    continue;
                }
                apply(b.items());
                if (b.tier() == ConfirmQueue.Tier.FILE) {
                    queue.committed();
                }
                completed[b.tier().ordinal()].addAndGet(b.items().size());
            } catch (RuntimeException e) {
                log.warn("the push confirmation drainer failed; retrying in 1 s", e);
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
            }
        }
        try {
            queue.persistAndClose();
        } catch (RuntimeException e) {
            log.warn("writing the last push confirmations to files failed: their messages come back after the "
                    + "redelivery timeout", e);
        }
    }

    /** One {@code Broker.confirm} per queue (an id seen twice splits the batch, so its answers keep their order). */
    private void apply(List<Confirmation> items) {
        Map<QueueName, Group> groups = new LinkedHashMap<>();
        for (Confirmation c : items) {
            Group g = groups.computeIfAbsent(c.queue(), k -> new Group());
            if (!g.seen.add(c.id())) {
                call(groups);
                groups.clear();
                g = groups.computeIfAbsent(c.queue(), k -> new Group());
                g.seen.add(c.id());
            }
            (c.failed() ? g.failed : g.confirmed).add(c.id());
        }
        call(groups);
    }

    private void call(Map<QueueName, Group> groups) {
        List<CompletableFuture<?>> calls = new ArrayList<>(groups.size());
        for (Map.Entry<QueueName, Group> e : groups.entrySet()) {
            Group g = e.getValue();
            CompletableFuture<?> f;
            try {
                f = broker.confirm(e.getKey(), toArray(g.confirmed), toArray(g.failed));
            } catch (RuntimeException ex) {
                f = CompletableFuture.failedFuture(ex);
            }
            calls.add(f.whenComplete((o, err) -> {
                if (err != null) {
                    errors.increment();
                    log.debug("confirming {} messages of {} failed: {}", g.seen.size(), e.getKey(), err.toString());
                }
            }));
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new));
        long deadline = System.nanoTime() + settings.applyTimeout().toNanos();
        while (true) {
            try {
                all.get(SPILL_EVERY_MILLIS, TimeUnit.MILLISECONDS);
                return;
            } catch (ExecutionException e) {
                return; // counted per call above
            } catch (TimeoutException e) {
                // a slow owner must not keep the overflow on the heap: write it to the files meanwhile
                queue.spill();
                if (System.nanoTime() - deadline > 0) {
                    errors.increment();
                    log.warn("confirm calls unanswered after {}: going on (their messages come back after the "
                            + "redelivery timeout)", settings.applyTimeout());
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static long[] toArray(List<Long> ids) {
        long[] a = new long[ids.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = ids.get(i);
        }
        return a;
    }

    private static final class Group {
        final Set<Long> seen = new HashSet<>();
        final List<Long> confirmed = new ArrayList<>();
        final List<Long> failed = new ArrayList<>();
    }

    /**
     * Applies what is queued (up to {@code applyTimeout}), writes the rest to the files and stops the drainer. Call
     * before the broker closes.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        LockSupport.unpark(drainer);
        try {
            drainer.join(settings.applyTimeout().toMillis() * 2 + 5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

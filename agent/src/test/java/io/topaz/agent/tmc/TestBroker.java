package io.topaz.agent.tmc;

import io.topaz.agent.broker.Broker;
import io.topaz.agent.broker.BrokerException;
import io.topaz.agent.broker.BrokerMessage;
import io.topaz.agent.broker.ConfirmOutcome;
import io.topaz.agent.broker.Delivery;
import io.topaz.agent.broker.MessageIds;
import io.topaz.agent.broker.QueueName;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A small, correct in-memory {@link Broker} for the methods' tests (the real one is the cluster layer's): per queue,
 * messages in publish order, each pending, in flight or confirmed; consume hands out pending ones in order and marks
 * them in flight; confirm confirms only ids in flight in that queue and counts the rest as ignored; a failed id is
 * pending again. Publishes complete on another thread, as a real broker's do. {@link #failNext} makes the next
 * operation fail with a broker error.
 */
final class TestBroker implements Broker {

    /** What was published, in order, with its queues. */
    record Published(BrokerMessage message, List<QueueName> queues) {
    }

    private final AtomicLong ids = new AtomicLong(1_000);
    private final Map<QueueName, LinkedHashMap<Long, Entry>> queues = new HashMap<>();
    final List<Published> published = new CopyOnWriteArrayList<>();
    private final AtomicReference<BrokerException> failNext = new AtomicReference<>();

    private static final class Entry {
        final BrokerMessage message;
        int attempts;
        boolean inFlight;

        Entry(BrokerMessage message) {
            this.message = message;
        }
    }

    void failNext(BrokerException.Kind kind) {
        failNext.set(new BrokerException(kind, "test: " + kind.name().toLowerCase()));
    }

    synchronized void reset() {
        queues.clear();
        published.clear();
        failNext.set(null);
    }

    synchronized int backlog(QueueName q) {
        LinkedHashMap<Long, Entry> m = queues.get(q);
        return m == null ? 0 : m.size();
    }

    @Override
    public MessageIds ids() {
        return () -> {
            BrokerException e = failNext.get();
            if (e != null && e.kind() == BrokerException.Kind.UNAVAILABLE && failNext.compareAndSet(e, null)) {
                throw e;
            }
            return ids.incrementAndGet();
        };
    }

    @Override
    public CompletableFuture<Void> publish(BrokerMessage message, Collection<QueueName> targets) {
        BrokerException e = failNext.getAndSet(null);
        if (e != null) {
            return CompletableFuture.failedFuture(e);
        }
        return CompletableFuture.runAsync(() -> {
            synchronized (this) {
                for (QueueName q : targets) {
                    queues.computeIfAbsent(q, k -> new LinkedHashMap<>()).put(message.id(), new Entry(message));
                }
                published.add(new Published(message, List.copyOf(targets)));
            }
        });
    }

    @Override
    public synchronized CompletableFuture<List<Delivery>> consume(QueueName queue, int max) {
        BrokerException e = failNext.getAndSet(null);
        if (e != null) {
            return CompletableFuture.failedFuture(e);
        }
        List<Delivery> out = new ArrayList<>();
        for (Entry en : queues.getOrDefault(queue, new LinkedHashMap<>()).values()) {
            if (out.size() == max) {
                break;
            }
            if (!en.inFlight) {
                en.inFlight = true;
                en.attempts++;
                out.add(new Delivery(en.message, en.attempts));
            }
        }
        return CompletableFuture.completedFuture(out);
    }

    @Override
    public synchronized CompletableFuture<ConfirmOutcome> confirm(QueueName queue, long[] confirmed, long[] failed) {
        LinkedHashMap<Long, Entry> q = queues.getOrDefault(queue, new LinkedHashMap<>());
        int ok = 0;
        int redo = 0;
        int ignored = 0;
        for (long id : confirmed) {
            Entry en = q.get(id);
            if (en != null && en.inFlight) {
                q.remove(id);
                ok++;
            } else {
                ignored++;
            }
        }
        for (long id : failed) {
            Entry en = q.get(id);
            if (en != null && en.inFlight) {
                en.inFlight = false;
                redo++;
            } else {
                ignored++;
            }
        }
        return CompletableFuture.completedFuture(new ConfirmOutcome(ok, redo, ignored));
    }
}

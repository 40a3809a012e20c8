package io.topaz.agent.broker.cluster;

import io.topaz.agent.broker.BrokerException;
import io.topaz.agent.broker.BrokerMessage;
import io.topaz.agent.broker.ConfirmOutcome;
import io.topaz.agent.broker.DeadLetterQuery;
import io.topaz.agent.broker.Delivery;
import io.topaz.agent.broker.LocalQueues;
import io.topaz.agent.broker.QueueName;
import io.topaz.agent.broker.QueueStats;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * A small, correct {@link LocalQueues} in memory for the cluster tests, until the storage engine merges: per queue the
 * unconfirmed messages in order and which of them are in flight (no redelivery timeout: a failed id is due again at
 * once). "Durable" means in this object, which a test may keep across a simulated restart of its agent.
 */
final class InMemoryQueues implements LocalQueues {

    private static final class Queue {
        final LinkedHashMap<Long, BrokerMessage> unconfirmed = new LinkedHashMap<>();
        final Map<Long, Integer> inFlight = new HashMap<>(); // id → attempt
        final Map<Long, Integer> attempts = new HashMap<>();
        long delivered;
        long confirmed;
    }

    private final Map<QueueName, Queue> queues = new TreeMap<>();
    /** Every id ever appended, per queue (released queues included): what reached this agent at all. */
    private final Map<QueueName, List<Long>> history = new HashMap<>();
    private volatile boolean closed;
    volatile boolean refuseAppends;

    @Override
    public synchronized CompletableFuture<Void> append(BrokerMessage message, Collection<QueueName> names) {
        if (closed || refuseAppends) {
            return CompletableFuture.failedFuture(new BrokerException(BrokerException.Kind.INTERNAL, "closed"));
        }
        for (QueueName q : names) {
            queues.computeIfAbsent(q, k -> new Queue()).unconfirmed.put(message.id(), message);
            history.computeIfAbsent(q, k -> new ArrayList<>()).add(message.id());
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized List<Delivery> consume(QueueName name, int max) {
        Queue q = queues.get(name);
        List<Delivery> out = new ArrayList<>();
        if (q == null) {
            return out;
        }
        for (BrokerMessage m : q.unconfirmed.values()) {
            if (out.size() >= max) {
                break;
            }
            if (!q.inFlight.containsKey(m.id())) {
                int attempt = q.attempts.merge(m.id(), 1, Integer::sum);
                q.inFlight.put(m.id(), attempt);
                q.delivered++;
                out.add(new Delivery(m, attempt));
            }
        }
        return out;
    }

    @Override
    public synchronized ConfirmOutcome confirm(QueueName name, long[] confirmed, long[] failed) {
        Queue q = queues.get(name);
        int ok = 0;
        int bad = 0;
        int ignored = 0;
        for (long id : confirmed) {
            if (q != null && q.inFlight.remove(id) != null) {
                q.unconfirmed.remove(id);
                q.attempts.remove(id);
                q.confirmed++;
                ok++;
            } else {
                ignored++;
            }
        }
        for (long id : failed) {
            if (q != null && q.inFlight.remove(id) != null) {
                bad++;
            } else {
                ignored++;
            }
        }
        return new ConfirmOutcome(ok, bad, ignored);
    }

    @Override
    public synchronized Set<QueueName> queues() {
        return new TreeSet<>(queues.keySet());
    }

    @Override
    public synchronized List<QueueStats> stats() {
        List<QueueStats> out = new ArrayList<>();
        queues.forEach((n, q) -> out.add(new QueueStats(n, q.unconfirmed.size(), q.inFlight.size(), 0, q.delivered,
                q.confirmed, 0, 0, 0)));
        return out;
    }

    @Override
    public synchronized Backlog backlog(QueueName name, long fromPosition, int max) {
        Queue q = queues.get(name);
        if (q == null) {
            return new Backlog(List.of(), fromPosition, true);
        }
        List<BrokerMessage> all = new ArrayList<>(q.unconfirmed.values());
        int from = (int) Math.min(fromPosition, all.size());
        int to = Math.min(all.size(), from + max);
        return new Backlog(List.copyOf(all.subList(from, to)), to, to >= all.size());
    }

    @Override
    public synchronized CompletableFuture<Void> release(QueueName name) {
        queues.remove(name);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public DeadLetterQuery.Page deadLetters(DeadLetterQuery query) {
        return new DeadLetterQuery.Page(List.of(), 0);
    }

    @Override
    public int replay(String appKey, Collection<Long> ids) {
        return 0;
    }

    @Override
    public int purge(String appKey, Collection<Long> ids) {
        return 0;
    }

    /** The unconfirmed ids of {@code name}, in order. */
    synchronized List<Long> ids(QueueName name) {
        Queue q = queues.get(name);
        return q == null ? List.of() : new ArrayList<>(q.unconfirmed.keySet());
    }

    synchronized List<Long> everAppended(QueueName name) {
        return List.copyOf(history.getOrDefault(name, List.of()));
    }

    /** Reopens after a simulated restart (the same contents). */
    void reopen() {
        closed = false;
    }

    @Override
    public void close() {
        closed = true;
    }
}

package io.topaz.agent.broker.cluster;

import io.topaz.agent.broker.Broker;
import io.topaz.agent.broker.BrokerException;
import io.topaz.agent.broker.BrokerMessage;
import io.topaz.agent.broker.ConfirmOutcome;
import io.topaz.agent.broker.Delivery;
import io.topaz.agent.broker.LocalQueues;
import io.topaz.agent.broker.MessageIds;
import io.topaz.agent.broker.QueueName;
import io.topaz.model.fleet.AgentInfo;
import io.topaz.model.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * The message service across the agents of a cluster: each operation goes to the owner of its queue
 * ({@link Ownership}); queues this agent owns are served by its {@link LocalQueues}, the others over the owners'
 * broker ports ({@link PeerClient}). A publish completes when every owner has the message durable; an owner that
 * cannot be reached fails it with {@code UNAVAILABLE} and the producer retries (at least once).
 *
 * <p><b>Hand-over.</b> Queues held here that this agent does not own — it came back after its queues moved, or
 * membership changed — are handed to their current owner ({@code /internal/v1/handoff}, in batches of the backlog)
 * and then released, on one hand-over thread ({@link Handoff}), after each change of the view and every
 * {@code recheck} interval. A local append checks ownership after registering itself, and a hand-over first waits for
 * the appends registered before it, so no message lands in a queue after its backlog was read.
 *
 * <p><b>Graceful stop</b> ({@link #close()}): mark this agent draining, wait until every other broker agent
 * acknowledged that it no longer routes here, hand every queue over, then return. Requests that still reach this agent
 * meanwhile are forwarded to the owners.
 */
public final class ClusterBroker implements Broker, Closeable {

    private static final Logger log = LoggerFactory.getLogger(ClusterBroker.class);

    /** Knobs of the cluster layer; {@link #defaults()} for production. */
    public record Settings(int handoffBatch, Duration drainTimeout, Duration recheck, Duration retryAfter,
                           Duration peerTimeout) {

        public static Settings defaults() {
            return new Settings(256, Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(1),
                    Duration.ofSeconds(10));
        }
    }

    /** A hand-over request's content bytes at most (UTF-8 worst case, JSON escaping aside): a quarter of the port's bound. */
    static final long MAX_HANDOFF_BYTES = Handoff.MAX_HANDOFF_BYTES;

    private final MessageIds ids;
    private final Ownership ownership;
    private final LocalQueues local;
    private final PeerClient peers;
    private final Executor localExecutor;
    private final Settings settings;
    private final LongSupplier nanoTime;
    private final Set<CompletableFuture<Void>> appending = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Handoff handoff;
    private volatile StoredListener stored = (id, q) -> { };

    /**
     * @param localExecutor where local consume, confirm and stats run (they may read the disk); not an event loop
     */
    public ClusterBroker(MessageIds ids, Ownership ownership, LocalQueues local, PeerClient peers,
                         Executor localExecutor, Settings settings, LongSupplier nanoTime) {
        this.ids = ids;
        this.ownership = ownership;
        this.local = local;
        this.peers = peers;
        this.localExecutor = localExecutor;
        this.settings = settings;
        this.nanoTime = nanoTime;
        this.handoff = new Handoff(ownership, local, peers, settings, nanoTime, appending, closed::get);
    }

    /** Starts handing over what this agent holds and does not own: now, after each view change, and periodically. */
    public void start() {
        handoff.start();
    }

    @Override
    public MessageIds ids() {
        return ids;
    }

    public LocalQueues local() {
        return local;
    }

    public String agentId() {
        return ownership.selfId();
    }

    /**
     * The broker agents this agent counts now (its ownership view), by id. Agents whose views hold the same members
     * choose the same owner for every queue; tests wait for that before they check order.
     */
    public Set<String> members() {
        return Set.copyOf(ownership.view().members().keySet());
    }

    @Override
    public CompletableFuture<Void> publish(BrokerMessage message, Collection<QueueName> queues) {
        return store(message, queues, 0);
    }

    @Override
    public CompletableFuture<List<Delivery>> consume(QueueName queue, int max) {
        return consume(queue, max, 0);
    }

    @Override
    public CompletableFuture<ConfirmOutcome> confirm(QueueName queue, long[] confirmed, long[] failed) {
        return confirm(queue, confirmed, failed, 0);
    }

    /**
     * Stores {@code message} for {@code queues} at their owners: appended here for the queues this agent owns,
     * forwarded for the others unless the request has been forwarded {@link PeerClient#MAX_HOPS} times already (views
     * disagree while membership changes: the caller retries).
     */
    CompletableFuture<Void> store(BrokerMessage message, Collection<QueueName> queues, int hops) {
        if (queues.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> gate = register();
        try {
            Ownership.View view = ownership.view();
            List<QueueName> mine = new ArrayList<>();
            Map<String, List<QueueName>> remote = new LinkedHashMap<>();
            Map<String, AgentInfo> owners = new LinkedHashMap<>();
            for (QueueName q : queues) {
                AgentInfo owner = ownerOf(view, q);
                if (owner.id().equals(ownership.selfId())) {
                    mine.add(q);
                } else {
                    remote.computeIfAbsent(owner.id(), k -> new ArrayList<>()).add(q);
                    owners.put(owner.id(), owner);
                }
            }
            List<CompletableFuture<?>> parts = new ArrayList<>();
            if (!mine.isEmpty()) {
                parts.add(appendLocally(message, mine));
            }
            release(gate, parts);
            for (Map.Entry<String, List<QueueName>> e : remote.entrySet()) {
                parts.add(forward(owners.get(e.getKey()), "/internal/v1/store",
                        new Wire.StoreRequest(message, Wire.keys(e.getValue())), hops));
            }
            return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new));
        } catch (RuntimeException e) {
            gate.complete(null);
            appending.remove(gate);
            return CompletableFuture.failedFuture(e);
        }
    }

    /** A batch of another agent's backlog of {@code queue}: appended here if this agent owns it, else forwarded. */
    CompletableFuture<Void> handoffIn(QueueName queue, List<BrokerMessage> messages, int hops) {
        if (messages.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> gate = register();
        try {
            AgentInfo owner = ownerOf(ownership.view(), queue);
            if (!owner.id().equals(ownership.selfId())) {
                gate.complete(null);
                appending.remove(gate);
                return forward(owner, "/internal/v1/handoff", new Wire.HandoffRequest(queue.key(), messages), hops)
                        .thenApply(body -> null);
            }
            List<CompletableFuture<?>> parts = new ArrayList<>(messages.size());
            for (BrokerMessage m : messages) {
                parts.add(appendLocally(m, List.of(queue)));
            }
            release(gate, parts);
            return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new));
        } catch (RuntimeException e) {
            gate.complete(null);
            appending.remove(gate);
            return CompletableFuture.failedFuture(e);
        }
    }

    CompletableFuture<List<Delivery>> consume(QueueName queue, int max, int hops) {
        try {
            AgentInfo owner = ownerOf(ownership.view(), queue);
            if (owner.id().equals(ownership.selfId())) {
                return CompletableFuture.supplyAsync(() -> local.consume(queue, max), localExecutor);
            }
            return forward(owner, "/internal/v1/consume", new Wire.ConsumeRequest(queue.key(), max), hops)
                    .thenApply(body -> {
                        List<Delivery> d = Json.read(body, Wire.ConsumeAnswer.class).deliveries();
                        return d == null ? List.of() : d;
                    });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    CompletableFuture<ConfirmOutcome> confirm(QueueName queue, long[] confirmed, long[] failed, int hops) {
        try {
            AgentInfo owner = ownerOf(ownership.view(), queue);
            if (owner.id().equals(ownership.selfId())) {
                return CompletableFuture.supplyAsync(() -> local.confirm(queue, confirmed, failed), localExecutor);
            }
            return forward(owner, "/internal/v1/confirm", new Wire.ConfirmRequest(queue.key(), confirmed, failed), hops)
                    .thenApply(body -> Json.read(body, ConfirmOutcome.class));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private AgentInfo ownerOf(Ownership.View view, QueueName q) {
        Optional<AgentInfo> owner = view.owner(q);
        if (owner.isEmpty()) {
            throw new BrokerException(BrokerException.Kind.UNAVAILABLE,
                    "no live broker agent takes queues now (ZooKeeper unreachable, or every agent stopping)");
        }
        return owner.get();
    }

    private CompletableFuture<byte[]> forward(AgentInfo owner, String path, Object body, int hops) {
        if (hops >= PeerClient.MAX_HOPS) {
            return CompletableFuture.failedFuture(new BrokerException(BrokerException.Kind.UNAVAILABLE,
                    "the queues' owners are changing (agents disagree for a moment); retry"));
        }
        return peers.post(owner, path, body, hops + 1);
    }

    private CompletableFuture<Void> register() {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        appending.add(gate);
        return gate;
    }

    /** Opens {@code gate} once the local appends among {@code parts} are done. */
    private void release(CompletableFuture<Void> gate, List<CompletableFuture<?>> parts) {
        CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> {
            appending.remove(gate);
            gate.complete(null);
        });
    }

    private CompletableFuture<Void> appendLocally(BrokerMessage m, List<QueueName> queues) {
        CompletableFuture<Void> done;
        try {
            done = local.append(m, queues);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        StoredListener listener = stored;
        done.thenRun(() -> {
            try {
                listener.stored(m.id(), queues);
            } catch (RuntimeException e) {
                log.warn("a stored-message listener failed", e);
            }
        });
        return done;
    }

    /** Told of each message appended here, once durable: its id and the queues (owned here) it went to. */
    @FunctionalInterface
    public interface StoredListener {
        void stored(long id, Collection<QueueName> queues);
    }

    /**
     * Who is told, after each local append is durable, which message went to which of this agent's queues: the push
     * ring ({@code PushServer#stored}), whose connections of those queues ask for it at once instead of at their next
     * poll. Called on the thread that completed the append; must not block.
     */
    public void onStored(StoredListener listener) {
        this.stored = listener;
    }

    /**
     * Hands every queue held here and owned elsewhere to its owner, then releases it. On the hand-over thread.
     *
     * @return false when some queue could not be handed over (retried later)
     */
    boolean handOverForeignQueues() {
        return handoff.handOverForeignQueues();
    }

    /** Splits a backlog slice into requests of at most {@link #MAX_HANDOFF_BYTES} of content, well under the port's bound. */
    static List<List<BrokerMessage>> chunks(List<BrokerMessage> messages) {
        return Handoff.chunks(messages);
    }

    /**
     * A graceful stop: marks this agent draining, waits (at most the drain timeout) until every other broker agent
     * stopped routing here, hands all its queues over and returns. With no other broker agent, the queues stay on
     * this agent's disk for its return.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long deadline = nanoTime.getAsLong() + settings.drainTimeout().toNanos();
        try {
            boolean others = ownership.view().members().keySet().stream().anyMatch(id -> !id.equals(ownership.selfId()));
            if (others) {
                handoff.drain(deadline);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("graceful hand-over of agent {}'s queues failed: {}; they stay on its disk until it returns",
                    ownership.selfId(), e.toString());
        } finally {
            handoff.shutdownNow();
        }
    }

    /** Stops without handing anything over (what a crash leaves): the queues stay on this agent's disk. */
    void abandon() {
        closed.set(true);
        handoff.shutdownNow();
    }
}

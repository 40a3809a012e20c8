package io.topaz.agent.broker.cluster;

import io.topaz.agent.broker.BrokerMessage;
import io.topaz.agent.broker.LocalQueues;
import io.topaz.agent.broker.QueueName;
import io.topaz.model.fleet.AgentInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The hand-over side of {@link ClusterBroker}: on its own hand-over thread, hands the queues this agent holds and does
 * not own to their current owners ({@code /internal/v1/handoff}, in batches of the backlog, each request bounded by
 * {@link #MAX_HANDOFF_BYTES}) and then releases them; after each change of the view, every {@code recheck} interval,
 * and (through {@link #drain}) during a graceful stop. Before reading a backlog it waits for the local appends
 * {@link ClusterBroker} registered in {@code appending}, so no message lands in a queue after its backlog was read.
 *
 * <p>Logs as {@link ClusterBroker}, whose job this was.
 */
final class Handoff {

    private static final Logger log = LoggerFactory.getLogger(ClusterBroker.class);

    /** A hand-over request's content bytes at most (UTF-8 worst case, JSON escaping aside): a quarter of the port's bound. */
    static final long MAX_HANDOFF_BYTES = 4L * 1024 * 1024;

    private final Ownership ownership;
    private final LocalQueues local;
    private final PeerClient peers;
    private final ClusterBroker.Settings settings;
    private final LongSupplier nanoTime;
    private final Set<CompletableFuture<Void>> appending;
    private final BooleanSupplier closed;
    private final ScheduledExecutorService handoffThread;
    private final AtomicBoolean handoffQueued = new AtomicBoolean();
    /** Set while draining until the peers acknowledged: handing over earlier would find owners that do not know yet. */
    private volatile boolean holdHandoff;

    /**
     * @param appending the gates of the local appends in progress (shared with {@link ClusterBroker}, which adds them)
     * @param closed    whether the broker was closed (or abandoned)
     */
    Handoff(Ownership ownership, LocalQueues local, PeerClient peers, ClusterBroker.Settings settings,
            LongSupplier nanoTime, Set<CompletableFuture<Void>> appending, BooleanSupplier closed) {
        this.ownership = ownership;
        this.local = local;
        this.peers = peers;
        this.settings = settings;
        this.nanoTime = nanoTime;
        this.appending = appending;
        this.closed = closed;
        AtomicInteger n = new AtomicInteger();
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "topaz-broker-handoff-" + n.incrementAndGet());
            th.setDaemon(true);
            return th;
        });
        t.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.handoffThread = t;
    }

    /** Starts handing over what this agent holds and does not own: now, after each view change, and periodically. */
    void start() {
        ownership.addListener(this::scheduleHandoff);
        long every = settings.recheck().toMillis();
        handoffThread.scheduleWithFixedDelay(this::scheduleHandoff, 0, every, TimeUnit.MILLISECONDS);
    }

    /** Stops the hand-over thread (queued and delayed runs are dropped). */
    void shutdownNow() {
        handoffThread.shutdownNow();
    }

    /** Queues a hand-over run on the hand-over thread unless one is queued already. */
    void scheduleHandoff() {
        if (closed.getAsBoolean() && !ownership.draining() || holdHandoff) {
            return;
        }
        if (handoffQueued.compareAndSet(false, true)) {
            try {
                handoffThread.execute(() -> {
                    handoffQueued.set(false);
                    if (!handOverForeignQueues()) {
                        try {
                            handoffThread.schedule(this::scheduleHandoff, settings.retryAfter().toMillis(),
                                    TimeUnit.MILLISECONDS);
                        } catch (RuntimeException shutDown) {
                            // stopping
                        }
                    }
                });
            } catch (RuntimeException shutDown) {
                handoffQueued.set(false);
            }
        }
    }

    /**
     * Hands every queue held here and owned elsewhere to its owner, then releases it. On the hand-over thread.
     *
     * @return false when some queue could not be handed over (retried later)
     */
    boolean handOverForeignQueues() {
        if (!ownership.selfLive() && !ownership.draining()) {
            return true; // not registered (yet, or any more): the others count this agent out; its queues wait for it
        }
        List<QueueName> foreign = new ArrayList<>();
        for (QueueName q : local.queues()) {
            if (!ownership.ownsLocally(q)) {
                foreign.add(q);
            }
        }
        if (foreign.isEmpty()) {
            return true;
        }
        try { // appends that started under an older view finish before the backlog is read
            CompletableFuture.allOf(appending.toArray(CompletableFuture[]::new))
                    .get(settings.peerTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            log.warn("hand-over waits for local appends: {}", e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        boolean all = true;
        for (QueueName q : foreign) {
            Optional<AgentInfo> owner = ownership.owner(q);
            if (owner.isEmpty() || owner.get().id().equals(ownership.selfId())) {
                if (owner.isEmpty()) {
                    all = false; // nobody to hand it to now
                }
                continue;
            }
            try {
                long moved = handOver(q, owner.get());
                log.info("handed queue {} over to agent {} ({} messages)", q, owner.get().id(), moved);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (Exception e) {
                all = false;
                log.warn("cannot hand queue {} over to agent {} yet: {}", q, owner.get().id(),
                        e instanceof ExecutionException && e.getCause() != null ? e.getCause().getMessage() : e.toString());
            }
        }
        return all;
    }

    private long handOver(QueueName q, AgentInfo owner) throws Exception {
        long position = 0;
        long moved = 0;
        long timeout = settings.peerTimeout().toMillis();
        while (true) {
            LocalQueues.Backlog slice = local.backlog(q, position, settings.handoffBatch());
            for (List<BrokerMessage> chunk : chunks(slice.messages())) {
                peers.post(owner, "/internal/v1/handoff", new Wire.HandoffRequest(q.key(), chunk), 1)
                        .get(timeout, TimeUnit.MILLISECONDS);
                moved += chunk.size();
            }
            if (slice.end()) {
                break;
            }
            position = slice.next();
        }
        local.release(q).get(timeout, TimeUnit.MILLISECONDS);
        return moved;
    }

    /** Splits a backlog slice into requests of at most {@link #MAX_HANDOFF_BYTES} of content, well under the port's bound. */
    static List<List<BrokerMessage>> chunks(List<BrokerMessage> messages) {
        List<List<BrokerMessage>> chunks = new ArrayList<>();
        List<BrokerMessage> current = new ArrayList<>();
        long bytes = 0;
        for (BrokerMessage m : messages) {
            long size = 256L + m.content().length() * 3L + m.userNick().length() * 3L + m.topic().length();
            if (!current.isEmpty() && bytes + size > MAX_HANDOFF_BYTES) {
                chunks.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(m);
            bytes += size;
        }
        if (!current.isEmpty()) {
            chunks.add(current);
        }
        return chunks;
    }

    /**
     * The hand-over of a graceful stop ({@link ClusterBroker#close()}): marks this agent draining, waits until
     * {@code deadline} for every other broker agent to acknowledge it, then hands all its queues over, retrying until
     * the deadline. On the caller's thread; the hand-overs themselves run on the hand-over thread.
     */
    void drain(long deadline) throws Exception {
        holdHandoff = true;
        ownership.markDraining();
        Set<String> waiting = ownership.peersNotAcknowledged();
        while (!waiting.isEmpty() && nanoTime.getAsLong() < deadline) {
            Thread.sleep(20); // a stop, not a test: polling ZooKeeper for the peers' acknowledgements
            waiting = ownership.peersNotAcknowledged();
        }
        holdHandoff = false;
        if (!waiting.isEmpty()) {
            log.warn("agents {} did not acknowledge the drain of {} in time; handing queues over anyway", waiting,
                    ownership.selfId());
        }
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        Runnable attempt = new Runnable() {
            @Override
            public void run() {
                try {
                    if (handOverForeignQueues() || local.queues().isEmpty()) {
                        done.complete(true);
                    } else if (nanoTime.getAsLong() < deadline) {
                        handoffThread.schedule(this, settings.retryAfter().toMillis(), TimeUnit.MILLISECONDS);
                    } else {
                        done.complete(false);
                    }
                } catch (RuntimeException e) {
                    done.completeExceptionally(e);
                }
            }
        };
        handoffThread.execute(attempt);
        long left = Math.max(1, deadline - nanoTime.getAsLong());
        Boolean ok;
        try {
            ok = done.get(left, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            ok = false;
        }
        if (ok) {
            log.info("agent {} handed all its queues over", ownership.selfId());
        } else {
            log.warn("agent {} stops with queues not handed over: {}; they stay on its disk until it returns",
                    ownership.selfId(), local.queues());
        }
    }
}

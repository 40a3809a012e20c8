package io.topaz.agent.broker.queue;

import io.topaz.agent.broker.store.Durability;
import io.topaz.agent.broker.store.LogStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Saves each queue's state (confirm position, confirmation bitmap, counters) in the state store, asynchronously, but
 * only once the dead letters and carried copies it depends on are durable: {@link #track} counts such a write
 * against its queue and pins the log segment the message came from until it is durable. Called under the engine's
 * lock; the completions take it.
 */
final class StateWriter {

    /** The engine's logger: messages keep the category they had before this class was split out of it. */
    private static final Logger log = LoggerFactory.getLogger(QueueEngine.class);

    private final Path dir;
    private final Object mutex;
    private final LogStore state;
    private final QueueTable queues;
    private final Set<CompletableFuture<?>> tracked = ConcurrentHashMap.newKeySet();

    StateWriter(EngineContext ctx, QueueTable queues) {
        this.dir = ctx.dir;
        this.mutex = ctx.mutex;
        this.state = ctx.state;
        this.queues = queues;
    }

    /**
     * Counts {@code write} against the queue: its segment stays pinned and the queue's state is not persisted until
     * it is durable. If it fails, the queue's state is not persisted again in this run (its dependents might not be
     * durable): after a restart the queue starts from its last state, delivering again what followed (at least once).
     */
    CompletableFuture<?> track(QueueState q, long segment, CompletableFuture<?> write) {
        q.pin(segment);
        CompletableFuture<?> t = write.whenComplete((v, e) -> {
            synchronized (mutex) {
                q.unpin(segment);
                if (e != null) {
                    q.stateBroken = true;
                    log.error("message store {}: a dead letter or carried copy of {} is not durable; the queue's "
                            + "state will not be saved again until a restart", dir, q.name, e);
                } else if (!q.writesPending() && q.persistWanted) {
                    persist(q);
                }
            }
        });
        tracked.add(t);
        t.whenComplete((v, e) -> tracked.remove(t));
        return t;
    }

    /** The tracked writes not yet complete (a live view). */
    Set<CompletableFuture<?>> tracked() {
        return Collections.unmodifiableSet(tracked);
    }

    /** Under the lock: writes the queue's state (asynchronously), or defers it while its dependents are pending. */
    CompletableFuture<?> persist(QueueState q) {
        if (q.stateBroken || !queues.holds(q)) {
            return CompletableFuture.completedFuture(null);
        }
        if (q.writesPending()) {
            q.persistWanted = true;
            return CompletableFuture.completedFuture(null);
        }
        q.persistWanted = false;
        q.stateDirty = false;
        CompletableFuture<Durability> f = state.put(QueueTable.STATE_PREFIX + q.name.key(),
                Codec.state(q.snapshot()));
        f.whenComplete((d, e) -> {
            if (e != null) {
                synchronized (mutex) {
                    q.stateDirty = true; // the next reclamation writes it again
                }
            }
        });
        return f;
    }
}

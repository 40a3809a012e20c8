package io.topaz.agent.broker.queue;

import io.topaz.agent.broker.BrokerException;
import io.topaz.agent.broker.store.Durability;
import io.topaz.agent.broker.store.StoreOverloadedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The durability of {@link QueueEngine}'s queue entries: appends a reference to a queue's file and completes the
 * append once the log record and the entries are durable under {@link QueueEngine.Options#durability()}: at once
 * ({@code OS}), forced on the spot ({@code SYNC_EACH}), or at the group commit ({@link #commitQueues}), which forces
 * the queue files written to since the last one, side by side and outside the engine's lock. Only entries marked
 * durable here ({@code durableIndex}) are handed out. Also turns store failures into {@link BrokerException}s.
 */
final class QueueCommitter {

    /** The engine's logger: messages keep the category they had before this class was split out of it. */
    private static final Logger log = LoggerFactory.getLogger(QueueEngine.class);

    /** Appends whose log record and queue entries wait for a group commit. */
    private record Pending(CompletableFuture<Durability> logDurable, List<QueueState> queues, long[] indexes,
                           CompletableFuture<Void> done) {
    }

    private final Path dir;
    private final Durability durability;
    private final Object mutex;
    private final Set<QueueState> dirtyQueues = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    private List<Pending> pending = new ArrayList<>();
    /**
     * Forces the dirty queue files of one commit side by side: with messages spread over many queues, forcing them one
     * after another made a commit cost one disk flush per queue; issued together, the file system's journal commits
     * them in a few flushes.
     */
    private final ExecutorService forcePool;

    QueueCommitter(EngineContext ctx, ExecutorService forcePool) {
        this.dir = ctx.dir;
        this.durability = ctx.options.durability();
        this.mutex = ctx.mutex;
        this.forcePool = forcePool;
    }

    /** Under the lock: appends a reference to the queue's file; its index. */
    long appendRef(QueueState q, long position, int size, int attempts, long id) {
        long index = q.file.append(position, size, attempts, id);
        q.unconfirmed++;
        dirtyQueues.add(q);
        return index;
    }

    /** Under the lock: a future completing when the log record and the queue entries are durable. */
    CompletableFuture<Void> await(CompletableFuture<Durability> logDurable, List<QueueState> qs, long[] indexes) {
        switch (durability) {
            case OS -> {
                markDurable(qs, indexes);
                return CompletableFuture.completedFuture(null);
            }
            case SYNC_EACH -> {
                try {
                    for (QueueState q : qs) {
                        q.file.force();
                    }
                    qs.forEach(dirtyQueues::remove);
                } catch (RuntimeException e) {
                    return failed(e);
                }
                markDurable(qs, indexes);
                return logDurable.<Void>thenApply(d -> null).exceptionallyCompose(QueueCommitter::failed);
            }
            default -> {
                CompletableFuture<Void> done = new CompletableFuture<>();
                pending.add(new Pending(logDurable, qs, indexes, done));
                return done;
            }
        }
    }

    private static void markDurable(List<QueueState> qs, long[] indexes) {
        for (int i = 0; i < qs.size(); i++) {
            QueueState q = qs.get(i);
            q.durableIndex = Math.max(q.durableIndex, Math.min(indexes[i] + 1, q.file.writeIndex()));
        }
    }

    /** The group commit of the queue files: forces those written to, then completes the appends they cover. */
    void commitQueues() {
        List<Pending> batch;
        List<Runnable> forces = new ArrayList<>();
        synchronized (mutex) {
            if (pending.isEmpty() && dirtyQueues.isEmpty()) {
                return;
            }
            batch = pending;
            pending = new ArrayList<>();
            for (QueueState q : dirtyQueues) {
                forces.add(q.file.takeForce());
            }
            dirtyQueues.clear();
        }
        RuntimeException failure = forceAll(forces); // outside the lock: consumes and confirms go on meanwhile
        if (failure != null) {
            log.error("message store {}: forcing the queue files failed; {} appends are not durable", dir,
                    batch.size(), failure);
        }
        for (Pending p : batch) {
            if (failure != null) {
                p.done().completeExceptionally(brokerError(failure));
                continue;
            }
            p.logDurable().whenComplete((d, e) -> {
                if (e != null) {
                    p.done().completeExceptionally(brokerError(e));
                    return;
                }
                synchronized (mutex) {
                    markDurable(p.queues(), p.indexes());
                }
                p.done().complete(null);
            });
        }
    }

    /** Under the lock: the queue is released; its file is no longer forced. */
    void forget(QueueState q) {
        dirtyQueues.remove(q);
    }

    /** Stops the force threads, waiting for the forces under way. */
    void stopForces() throws InterruptedException {
        forcePool.shutdown();
        forcePool.awaitTermination(30, TimeUnit.SECONDS);
    }

    /** Runs the forces (in parallel when there are several); the last failure, or null. */
    private RuntimeException forceAll(List<Runnable> forces) {
        RuntimeException failure = null;
        if (forces.size() <= 1) {
            for (Runnable force : forces) {
                try {
                    force.run();
                } catch (RuntimeException e) {
                    failure = e;
                }
            }
            return failure;
        }
        List<Future<?>> running = new ArrayList<>(forces.size());
        for (Runnable force : forces) {
            try {
                running.add(forcePool.submit(force));
            } catch (RejectedExecutionException closing) {
                try {
                    force.run();
                } catch (RuntimeException e) {
                    failure = e;
                }
            }
        }
        boolean interrupted = false;
        for (Future<?> f : running) {
            while (true) { // a stop interrupts this thread: the forces under way still decide the batch's outcome
                try {
                    f.get();
                    break;
                } catch (ExecutionException e) {
                    failure = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return failure;
    }

    static <T> CompletableFuture<T> failed(Throwable e) {
        return CompletableFuture.failedFuture(brokerError(e));
    }

    static BrokerException brokerError(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof BrokerException b) {
            return b;
        }
        if (cause instanceof StoreOverloadedException) {
            return new BrokerException(BrokerException.Kind.OVERLOADED, cause.getMessage(), cause);
        }
        return new BrokerException(BrokerException.Kind.INTERNAL, "the message store failed: " + cause, cause);
    }
}

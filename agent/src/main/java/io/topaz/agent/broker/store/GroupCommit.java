package io.topaz.agent.broker.store;

import io.micrometer.core.instrument.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The appends waiting for the next force of the log, at most {@code maxWaiting} of them: a writer past the bound is
 * refused at once ({@link StoreOverloadedException}) rather than queued, so memory stays bounded and no caller — an
 * event loop among them — ever blocks on a slow disk.
 *
 * <p>Appends register under the store's append lock, after writing their record. {@link #commit()} takes the batch
 * and the active segment together under that lock, so every record of the batch is in that segment or in one sealed
 * (forced) before it; then it forces the segment, outside the lock, and completes the batch.
 */
final class GroupCommit {

    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);

    private final Path dir;
    private final Object appendLock;
    private final Supplier<SegmentFile> activeSegment;
    private final int maxWaiting;
    private final Counter syncs;
    private List<CompletableFuture<Durability>> waiting = new ArrayList<>();

    GroupCommit(Path dir, Object appendLock, Supplier<SegmentFile> activeSegment, int maxWaiting, Counter syncs) {
        this.dir = dir;
        this.appendLock = appendLock;
        this.activeSegment = activeSegment;
        this.maxWaiting = maxWaiting;
        this.syncs = syncs;
    }

    /** Under the append lock, before writing: is there room for one more waiting append? */
    boolean hasRoom() {
        return waiting.size() < maxWaiting;
    }

    StoreOverloadedException overloaded() {
        return new StoreOverloadedException("log store " + dir + " is overloaded: " + maxWaiting
                + " appends already wait for the disk; retry later");
    }

    /** Under the append lock, after writing: the future completes when the next commit has forced the record. */
    CompletableFuture<Durability> await() {
        CompletableFuture<Durability> done = new CompletableFuture<>();
        waiting.add(done);
        return done;
    }

    /** Forces the log once for every append waiting now. */
    void commit() {
        List<CompletableFuture<Durability>> batch;
        SegmentFile seg;
        synchronized (appendLock) {
            if (waiting.isEmpty()) {
                return;
            }
            batch = waiting;
            waiting = new ArrayList<>();
            seg = activeSegment.get();
        }
        try {
            seg.force();
            syncs.increment();
            batch.forEach(f -> f.complete(Durability.GROUP_COMMIT));
        } catch (RuntimeException e) {
            log.error("log store {}: forcing the log failed; {} appends are not durable", dir, batch.size(), e);
            batch.forEach(f -> f.completeExceptionally(e));
        }
    }
}

package io.topaz.agent.broker.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Prepares the next active segment while the current one fills: a background thread creates {@code <id>.next} at full
 * size, zero-filled and forced ({@link Storage#preallocate}), so that the group commit's forces of the segment only
 * overwrite allocated blocks. Forcing a file that grows allocates blocks, and on ext4 every such force waits for a
 * journal commit: about 3.7 ms a force against 1.3 ms for an overwrite on the benchmark's disk (docs/benchmarks.md).
 * The price is writing every segment twice, once ahead of time and off the append path.
 *
 * <p>The {@code .next} name keeps a prepared segment out of recovery and merging: it holds no record, and becomes
 * {@code <id>.data} by a rename (then a directory sync) only when it turns active. Recovery deletes any {@code .next}
 * left by a crash, since it cannot know whether the zero-filling finished.
 */
final class SegmentPreparer implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(SegmentPreparer.class);

    /** A prepared, still unused segment file under its {@code .next} name. */
    record Prepared(long id, Path path, Storage.MappedFile file) {
    }

    private final Storage storage;
    private final Path dir;
    private final int segmentBytes;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "topaz-store-prepare");
        t.setDaemon(true);
        return t;
    });
    private CompletableFuture<Prepared> next; // guarded by this

    SegmentPreparer(Storage storage, Path dir, int segmentBytes) {
        this.storage = storage;
        this.dir = dir;
        this.segmentBytes = segmentBytes;
    }

    static Path preparedPath(Path dir, long id) {
        return dir.resolve(String.format("%016d.next", id));
    }

    static boolean isPrepared(String fileName) {
        return fileName.matches("\\d{16}\\.next");
    }

    /** Starts preparing segment {@code id} in the background, replacing any preparation not taken. */
    synchronized void prepare(long id) {
        discard(next);
        next = CompletableFuture.supplyAsync(() -> {
            Path path = preparedPath(dir, id);
            Storage.MappedFile file = storage.preallocate(path, segmentBytes);
            try {
                storage.syncDirectory(dir); // now, so that the rename at activation carries little to the journal
            } catch (RuntimeException e) {
                file.close();
                throw e;
            }
            return new Prepared(id, path, file);
        }, worker);
    }

    /**
     * The prepared segment {@code id}, waiting for its preparation to finish (the caller would otherwise do the same
     * work itself), or null when none was asked for or its preparation failed: the caller then creates the segment.
     */
    synchronized Prepared take(long id) {
        CompletableFuture<Prepared> taken = next;
        next = null;
        if (taken == null) {
            return null;
        }
        try {
            Prepared p = taken.join();
            if (p.id() == id) {
                return p;
            }
            discard(taken);
        } catch (RuntimeException e) {
            log.warn("log store {}: preparing segment {} failed ({}); creating it on the append path", dir, id,
                    e.getMessage());
        }
        return null;
    }

    /** Closes and deletes a preparation not taken, once it has finished. */
    private void discard(CompletableFuture<Prepared> unused) {
        if (unused != null) {
            unused.thenAccept(p -> {
                p.file().close();
                try {
                    storage.delete(p.path());
                } catch (RuntimeException e) {
                    log.debug("log store {}: cannot delete unused {} ({}); the next start-up does", dir,
                            p.path().getFileName(), e.getMessage());
                }
            });
        }
    }

    /** Stops the worker; a prepared file not taken is deleted (recovery deletes it if this cannot). */
    @Override
    public void close() {
        synchronized (this) {
            discard(next);
            next = null;
        }
        worker.shutdown();
        try {
            worker.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

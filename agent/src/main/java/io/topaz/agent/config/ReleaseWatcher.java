package io.topaz.agent.config;

import io.topaz.agent.AgentMetrics;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.json.Json;
import io.topaz.model.release.EncodedRelease;
import io.topaz.model.release.KindBlobs;
import io.topaz.model.release.ReleaseCodec;
import io.topaz.model.release.ReleaseManifest;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;

/**
 * Watches the live release pointer with a {@link CuratorCache} and applies each new release: fetch the blobs it lacks,
 * verify and decode the whole release, swap the snapshot, save it locally, report it.
 *
 * <p>All the work runs on one thread of its own, never on Curator's event thread: applies are serial, and a slow
 * ZooKeeper read blocks nothing else. A release that cannot be fetched or verified is not applied; the current one
 * keeps serving and the watcher retries with backoff, and again on every reconnection.
 */
public final class ReleaseWatcher implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(ReleaseWatcher.class);
    private static final long MAX_RETRY_MILLIS = 30_000;

    private enum State { LATENT, STARTED, CLOSED }

    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final CuratorFramework curator;
    private final ZkLayout layout;
    private final SnapshotHolder holder;
    private final LocalSnapshot local;
    private final AgentMetrics metrics;
    private final LongConsumer onApplied;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "release-watcher");
        t.setDaemon(true);
        return t;
    });
    /** Blobs of the live release, by hash; blobs are immutable, so a cached one never goes stale. */
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicReference<java.util.concurrent.ScheduledFuture<?>> retry = new AtomicReference<>();
    private CuratorCache cache;

    public ReleaseWatcher(CuratorFramework curator, ZkLayout layout, SnapshotHolder holder, LocalSnapshot local,
                          AgentMetrics metrics, LongConsumer onApplied) {
        this.curator = curator;
        this.layout = layout;
        this.holder = holder;
        this.local = local;
        this.metrics = metrics;
        this.onApplied = onApplied;
    }

    public void start() {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("release watcher already started or closed");
        }
        cache = CuratorCache.build(curator, layout.live(), CuratorCache.Options.SINGLE_NODE_CACHE);
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forCreatesAndChanges((before, node) -> apply(node.getData()))
                .build(), worker);
        curator.getConnectionStateListenable().addListener((client, newState) -> {
            if (newState == ConnectionState.RECONNECTED || newState == ConnectionState.CONNECTED) {
                worker.execute(this::readLive);
            }
        }, worker);
        cache.start();
    }

    private void readLive() {
        if (state.get() != State.STARTED) {
            return;
        }
        try {
            apply(curator.getData().forPath(layout.live()));
        } catch (KeeperException.NoNodeException e) {
            log.debug("nothing published yet");
        } catch (Exception e) {
            failed("cannot read the live release", e);
        }
    }

    private void apply(byte[] manifestJson) {
        if (state.get() != State.STARTED || manifestJson == null) {
            return;
        }
        long start = System.nanoTime();
        ReleaseManifest manifest;
        try {
            manifest = Json.read(manifestJson, ReleaseManifest.class);
        } catch (RuntimeException e) {
            failed("the live release node holds an unreadable manifest", e);
            return;
        }
        if (manifest.number() <= holder.current().release()) {
            return;
        }
        try {
            Map<String, byte[]> needed = fetch(manifest);
            ConfigSnapshot snapshot = ReleaseCodec.decode(manifest, needed::get);
            if (!holder.swap(snapshot)) {
                return;
            }
            blobs.keySet().retainAll(needed.keySet());
            failures.set(0);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            metrics.applied(manifest.number(), System.nanoTime() - start);
            log.info("applied release {} ({} entries) in {} ms", manifest.number(), snapshot.size(), millis);
            onApplied.accept(manifest.number());
            try {
                local.save(new EncodedRelease(manifest, needed));
            } catch (RuntimeException e) {
                log.error("release {} applied but not saved to {}: {}", manifest.number(), local.file(), e.getMessage());
            }
        } catch (Exception e) {
            failed("cannot apply release " + manifest.number() + "; still serving release " + holder.current().release(), e);
        }
    }

    private Map<String, byte[]> fetch(ReleaseManifest manifest) throws Exception {
        Set<String> hashes = new HashSet<>();
        for (KindBlobs kind : manifest.kinds().values()) {
            hashes.addAll(kind.blobs());
        }
        Map<String, byte[]> needed = new HashMap<>();
        for (String hash : hashes) {
            byte[] data = blobs.get(hash);
            if (data == null) {
                try {
                    data = curator.getData().forPath(layout.blob(hash));
                } catch (KeeperException.NoNodeException e) {
                    throw new IllegalStateException("blob " + hash + " of release " + manifest.number() + " is missing");
                }
                blobs.put(hash, data);
                metrics.blobFetched(data.length);
            }
            needed.put(hash, data);
        }
        return needed;
    }

    private void failed(String what, Exception e) {
        metrics.applyFailed();
        int n = failures.incrementAndGet();
        long delay = Math.min(MAX_RETRY_MILLIS, 250L << Math.min(n, 7));
        log.warn("{}: {}; retrying in {} ms", what, e.getMessage(), delay);
        if (state.get() == State.STARTED) {
            var next = worker.schedule(this::readLive, delay, TimeUnit.MILLISECONDS);
            var previous = retry.getAndSet(next);
            if (previous != null) {
                previous.cancel(false);
            }
        }
    }

    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) != State.STARTED) {
            return;
        }
        if (cache != null) {
            cache.close();
        }
        worker.shutdownNow();
    }
}

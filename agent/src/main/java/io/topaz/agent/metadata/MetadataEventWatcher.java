package io.topaz.agent.metadata;

import io.topaz.model.json.Json;
import io.topaz.model.metadata.MetadataEvent;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Watches the metadata events in ZooKeeper ({@link ZkLayout#metadataEvents()}) and hands each new one to the caches.
 * Events that were already there when the watch started are replayed too: putting a created key into a filter again
 * and dropping an entry that is not cached are both harmless.
 *
 * <p>After the ZooKeeper session is lost, events may have been pruned before this agent saw them; it then drops
 * every cached entry and reloads its filters ({@code onGap}).
 */
final class MetadataEventWatcher implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(MetadataEventWatcher.class);

    private final CuratorFramework curator;
    private final ZkLayout layout;
    private final Consumer<MetadataEvent> onEvent;
    private final Runnable onGap;
    private final CuratorCache cache;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean lost = new AtomicBoolean();
    private final ConnectionStateListener connectionListener;

    MetadataEventWatcher(CuratorFramework curator, ZkLayout layout, Consumer<MetadataEvent> onEvent, Runnable onGap) {
        this.curator = curator;
        this.layout = layout;
        this.onEvent = onEvent;
        this.onGap = onGap;
        this.cache = CuratorCache.build(curator, layout.metadataEvents());
        this.connectionListener = (client, state) -> {
            if (state == ConnectionState.LOST) {
                lost.set(true);
            } else if (state == ConnectionState.RECONNECTED && lost.compareAndSet(true, false)) {
                log.warn("ZooKeeper session was lost: metadata events may have been missed; dropping cached metadata");
                onGap.run();
            }
        };
    }

    void start() {
        if (!started.compareAndSet(false, true)) {
            return;
        }
        cache.listenable().addListener(CuratorCacheListener.builder().forCreates(this::created).build());
        curator.getConnectionStateListenable().addListener(connectionListener);
        cache.start();
    }

    private void created(ChildData node) {
        String path = node.getPath();
        if (path.equals(layout.metadataEvents()) || node.getData() == null || node.getData().length == 0) {
            return;
        }
        try {
            MetadataEvent e = Json.read(node.getData(), MetadataEvent.class);
            long seq = Long.parseLong(path.substring(path.lastIndexOf('-') + 1));
            onEvent.accept(e.withSeq(seq));
        } catch (RuntimeException ex) {
            log.warn("unreadable metadata event at {}: {}", path, ex.toString());
        }
    }

    @Override
    public void close() {
        if (started.compareAndSet(true, false)) {
            curator.getConnectionStateListenable().removeListener(connectionListener);
            cache.close();
        }
    }
}

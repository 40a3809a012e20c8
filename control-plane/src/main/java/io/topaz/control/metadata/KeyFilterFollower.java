package io.topaz.control.metadata;

import io.topaz.model.json.Json;
import io.topaz.model.metadata.MetadataEvent;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Keeps this control plane's key filters current with keys created by any control plane: with several instances
 * behind a load balancer, an agent may fetch its filter from one that did not create the key itself.
 */
@Component
class KeyFilterFollower implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(KeyFilterFollower.class);

    private final CuratorFramework curator;
    private final ZkLayout layout;
    private final KeyFilters filters;
    private volatile CuratorCache cache;

    KeyFilterFollower(CuratorFramework curator, ZkLayout layout, KeyFilters filters) {
        this.curator = curator;
        this.layout = layout;
        this.filters = filters;
    }

    @Override
    public void start() {
        CuratorCache c = CuratorCache.build(curator, layout.metadataEvents());
        c.listenable().addListener(CuratorCacheListener.builder().forCreates(node -> {
            if (node.getPath().equals(layout.metadataEvents()) || node.getData() == null || node.getData().length == 0) {
                return;
            }
            try {
                MetadataEvent e = Json.read(node.getData(), MetadataEvent.class);
                if (e.type() == MetadataEvent.Type.CREATED) {
                    filters.put(e.kind(), e.key());
                }
            } catch (RuntimeException ex) {
                log.warn("unreadable metadata event at {}: {}", node.getPath(), ex.toString());
            }
        }).build());
        c.start();
        cache = c;
    }

    @Override
    public void stop() {
        CuratorCache c = cache;
        cache = null;
        if (c != null) {
            c.close();
        }
    }

    @Override
    public boolean isRunning() {
        return cache != null;
    }
}

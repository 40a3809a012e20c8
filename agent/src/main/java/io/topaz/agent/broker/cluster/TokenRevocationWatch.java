package io.topaz.agent.broker.cluster;

import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;

import java.io.Closeable;

/**
 * Drops the agent's cached token answers ({@link ControlPlaneAuth}) the moment a control plane revokes a token: the
 * control planes bump {@link ZkLayout#tokenRevocations()} after every revocation (they watch it themselves to drop
 * their own caches), and this watches the same node. Without it a revoked token kept working on the broker and admin
 * ports until its cached answer expired ({@code tokenCacheTtl}, 30 s). A reconnect after a lost session drops the
 * cache too (a bump may have been missed); if the node cannot be watched at all, the cache's expiry still bounds it.
 */
final class TokenRevocationWatch implements Closeable {

    private final CuratorFramework curator;
    private final CuratorCache cache;
    private final ConnectionStateListener reconnects;

    TokenRevocationWatch(CuratorFramework curator, ZkLayout layout, ControlPlaneAuth auth) {
        this.curator = curator;
        this.cache = CuratorCache.build(curator, layout.tokenRevocations(), CuratorCache.Options.SINGLE_NODE_CACHE);
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forCreatesAndChanges((before, after) -> auth.dropCached())
                .build());
        this.reconnects = (client, state) -> {
            if (state == ConnectionState.RECONNECTED) {
                auth.dropCached();
            }
        };
    }

    TokenRevocationWatch start() {
        curator.getConnectionStateListenable().addListener(reconnects);
        cache.start();
        return this;
    }

    @Override
    public void close() {
        curator.getConnectionStateListenable().removeListener(reconnects);
        cache.close();
    }
}

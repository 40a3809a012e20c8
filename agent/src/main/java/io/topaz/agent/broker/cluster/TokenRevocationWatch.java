package io.topaz.agent.broker.cluster;

import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;

/**
 * Drops the agent's cached token answers ({@link ControlPlaneAuth}) the moment a control plane revokes a token: the
 * control planes bump {@link ZkLayout#tokenRevocations()} after every revocation (they watch it themselves to drop
 * their own caches), and this watches the same node. Without it a revoked token kept working on the broker and admin
 * ports until its cached answer expired ({@code tokenCacheTtl}, 30 s). A reconnect after a lost session drops the
 * cache too (a bump may have been missed); if the node cannot be watched at all, the cache's expiry still bounds it.
 */
final class TokenRevocationWatch implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(TokenRevocationWatch.class);

    private final CuratorFramework curator;
    private final String path;
    private final CuratorCache cache;
    private final ConnectionStateListener reconnects;
    private boolean started;
    private boolean closed;

    TokenRevocationWatch(CuratorFramework curator, ZkLayout layout, ControlPlaneAuth auth) {
        this.curator = curator;
        this.path = layout.tokenRevocations();
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

    /**
     * Starts watching once the node proves readable (in the background: the agent's start does not wait for
     * ZooKeeper). A control plane older than this agent keeps the node to itself: then this says so once and the
     * cache's expiry bounds a revoked token, as before.
     */
    TokenRevocationWatch start() {
        try {
            curator.getData().inBackground((client, event) -> {
                if (event.getResultCode() == KeeperException.Code.NOAUTH.intValue()) {
                    log.warn("cannot read {} (a control plane older than this agent keeps it to itself): a revoked "
                            + "token is refused here once its cached answer expires", path);
                    return;
                }
                synchronized (this) {
                    if (!closed) {
                        curator.getConnectionStateListenable().addListener(reconnects);
                        cache.start();
                        started = true;
                    }
                }
            }).forPath(path);
        } catch (Exception e) {
            log.warn("cannot watch {}: {}; a revoked token is refused here once its cached answer expires", path,
                    e.toString());
        }
        return this;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (started) {
            curator.getConnectionStateListenable().removeListener(reconnects);
            cache.close();
        }
    }
}

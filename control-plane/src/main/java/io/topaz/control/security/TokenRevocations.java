package io.topaz.control.security;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.time.Clock;

/**
 * Makes a revocation on one control plane reach every other at once: each keeps its own short-lived token cache
 * ({@code topaz.security.token-cache-ttl}, 10 s by default), so after every revocation the revoking instance sets
 * {@link ZkLayout#tokenRevocations()} (as metadata changes are announced under {@code metadata/events}), and every
 * instance watching that node drops its whole cache when it changes; the next request with the revoked token reads the
 * database and is refused. A reconnect after a lost session drops the cache too (a change may have been missed).
 *
 * <p>If ZooKeeper cannot be written, the revocation still holds (it is in the database) and the others refuse the
 * token once their cached entry expires, within the cache TTL; counted in {@code topaz.tokens.revocation.events.failed}.
 */
@Component
class TokenRevocations implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(TokenRevocations.class);

    private final CuratorFramework curator;
    private final ZkLayout layout;
    private final TokenStore tokens;
    private final Clock clock;
    private final Counter failures;
    private final ConnectionStateListener reconnects;
    private volatile CuratorCache cache;

    TokenRevocations(CuratorFramework curator, ZkLayout layout, TokenStore tokens, Clock clock, MeterRegistry registry) {
        this.curator = curator;
        this.layout = layout;
        this.tokens = tokens;
        this.clock = clock;
        this.failures = Counter.builder("topaz.tokens.revocation.events.failed")
                .description("token revocations the other control planes could not be told of through ZooKeeper")
                .register(registry);
        this.reconnects = (client, state) -> {
            if (state == org.apache.curator.framework.state.ConnectionState.RECONNECTED) {
                tokens.dropCached();
            }
        };
        tokens.onRevocation(this::announce);
    }

    /** Tells every control plane (this one included) to drop its cached tokens. */
    void announce() {
        byte[] data = Long.toString(clock.millis()).getBytes(StandardCharsets.UTF_8);
        String path = layout.tokenRevocations();
        try {
            try {
                curator.setData().forPath(path, data);
            } catch (KeeperException.NoNodeException first) {
                try {
                    curator.create().creatingParentsIfNeeded().forPath(path, data);
                } catch (KeeperException.NodeExistsException raced) {
                    curator.setData().forPath(path, data);
                }
            }
        } catch (Exception e) {
            failures.increment();
            log.error("a token was revoked, but the other control planes could not be told through ZooKeeper ({}); they "
                    + "refuse it once their cached entry expires (topaz.security.token-cache-ttl)", e.toString());
        }
    }

    @Override
    public void start() {
        CuratorCache c = CuratorCache.build(curator, layout.tokenRevocations(), CuratorCache.Options.SINGLE_NODE_CACHE);
        c.listenable().addListener(CuratorCacheListener.builder()
                .forCreatesAndChanges((before, after) -> tokens.dropCached())
                .forInitialized(tokens::dropCached)
                .build());
        curator.getConnectionStateListenable().addListener(reconnects);
        c.start();
        cache = c;
    }

    @Override
    public void stop() {
        CuratorCache c = cache;
        cache = null;
        curator.getConnectionStateListenable().removeListener(reconnects);
        if (c != null) {
            c.close();
        }
    }

    @Override
    public boolean isRunning() {
        return cache != null;
    }
}

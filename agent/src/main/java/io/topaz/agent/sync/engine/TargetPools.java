package io.topaz.agent.sync.engine;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.topaz.agent.sync.TargetOrders;
import io.topaz.agent.sync.db.SyncPools;
import io.topaz.model.config.SyncTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;

/**
 * One bounded HikariCP pool per (sync target, seller group) held on this agent, with the target's database layer over
 * it. Its size is the group's share of its cluster's connection budget ({@link SyncConfig#share}); it holds that many
 * connections (a fixed-size pool), so what an agent holds is what it reports.
 *
 * <p>The engine opens a group's pool only after it took the group's lease and closes it — its connections really
 * closed — before it releases the lease. Since a lease has one holder, the pools of all the cluster's agents towards
 * a target never sum to more than the sum of the shares, which is at most the budget, also while groups move between
 * agents or agents fail (a dead agent's connections end with its process; its lease ends with its session).
 */
final class TargetPools implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TargetPools.class);

    /** An open (target, group): the target's config, the group's pool and the database layer over it. */
    record Open(SyncTarget config, String group, HikariDataSource pool, TargetOrders orders) {

        /** The connections this pool holds now (idle and in use). */
        int connections() {
            HikariPoolMXBean mx = pool.getHikariPoolMXBean();
            return mx == null || pool.isClosed() ? 0 : mx.getTotalConnections();
        }
    }

    private final SyncStores stores;
    private final Map<String, Open> open = new HashMap<>();

    TargetPools(SyncStores stores) {
        this.stores = stores;
    }

    /** Opens the pool of (target, group) with {@code size} connections; the previous one of the key is closed first. */
    synchronized Open open(SyncTarget config, String group, String password, int size) {
        String key = SyncEngine.key(config.name(), group);
        Open o = open.remove(key);
        if (o != null) {
            close(o);
        }
        // the driver settings the conditional write relies on are SyncPools'
        HikariDataSource ds = SyncPools.open(config.name() + "-" + group, config.jdbcUrl(), config.user(), password,
                size);
        ds.setMinimumIdle(size);
        Open n = new Open(config, group, ds, stores.target(ds, config.jdbcUrl()));
        open.put(key, n);
        return n;
    }

    synchronized Open get(String target, String group) {
        return open.get(SyncEngine.key(target, group));
    }

    /** The pool size of (target, group), 0 when none is open. */
    synchronized int size(String target, String group) {
        Open o = open.get(SyncEngine.key(target, group));
        return o == null ? 0 : o.pool().getMaximumPoolSize();
    }

    /** Connections held now towards {@code target}, over its groups' pools here. */
    synchronized int connections(String target) {
        return open.values().stream().filter(o -> o.config().name().equals(target)).mapToInt(Open::connections).sum();
    }

    /** Connections held now by {@code group}'s pools here, over all targets. */
    synchronized int groupConnections(String group) {
        return open.values().stream().filter(o -> o.group().equals(group)).mapToInt(Open::connections).sum();
    }

    /** Closes the pool of (target, group) and waits for its connections to be closed. */
    synchronized void close(String target, String group) {
        Open o = open.remove(SyncEngine.key(target, group));
        if (o != null) {
            close(o);
        }
    }

    private static void close(Open o) {
        try {
            o.orders().close();
        } catch (RuntimeException e) {
            log.debug("closing the database layer of {}/{} failed", o.config().name(), o.group(), e);
        } finally {
            o.pool().close(); // closes every connection (in-use ones are aborted after HikariCP's grace period)
        }
    }

    @Override
    public synchronized void close() {
        open.values().forEach(TargetPools::close);
        open.clear();
    }
}

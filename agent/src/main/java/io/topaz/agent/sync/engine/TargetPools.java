package io.topaz.agent.sync.engine;

import com.zaxxer.hikari.HikariDataSource;
import io.topaz.agent.sync.TargetOrders;
import io.topaz.agent.sync.db.SyncPools;
import io.topaz.model.config.SyncTarget;

import java.util.HashMap;
import java.util.Map;

/**
 * One bounded HikariCP pool per sync target on this agent, with the target's database layer over it. The pool's size
 * is this agent's share of the target's connection budget ({@code maxConnections}, over all agents): the budget
 * times the share of the target's groups held here, at least 1 — resized as groups come and go.
 */
final class TargetPools implements AutoCloseable {

    /** An open target: its config, pool and database layer. */
    record Open(SyncTarget config, HikariDataSource pool, TargetOrders orders) {
    }

    private final SyncStores stores;
    private final Map<String, Open> open = new HashMap<>();

    TargetPools(SyncStores stores) {
        this.stores = stores;
    }

    /** The open target for {@code config}; reopened when its config changed. */
    synchronized Open open(SyncTarget config, String password) {
        Open o = open.get(config.name());
        if (o != null && o.config().equals(config)) {
            return o;
        }
        if (o != null) {
            close(o);
        }
        // the driver settings the conditional write relies on are SyncPools'; the size is set by size()
        HikariDataSource ds = SyncPools.open(config.name(), config.jdbcUrl(), config.user(), password, 1);
        Open n = new Open(config, ds, stores.target(ds, config.jdbcUrl()));
        open.put(config.name(), n);
        return n;
    }

    synchronized Open get(String target) {
        return open.get(target);
    }

    /** Sizes the target's pool for {@code heldHere} of its {@code groups} groups. */
    synchronized void size(String target, int heldHere) {
        Open o = open.get(target);
        if (o == null) {
            return;
        }
        int groups = Math.max(1, o.config().sellerGroups().size());
        int size = Math.max(1, o.config().maxConnections() * heldHere / groups);
        if (o.pool().getMaximumPoolSize() != size) {
            o.pool().setMaximumPoolSize(size);
        }
    }

    /** Closes the targets not in {@code keep}. */
    synchronized void retain(java.util.Set<String> keep) {
        open.entrySet().removeIf(e -> {
            if (keep.contains(e.getKey())) {
                return false;
            }
            close(e.getValue());
            return true;
        });
    }

    private static void close(Open o) {
        try {
            o.orders().close();
        } finally {
            o.pool().close();
        }
    }

    @Override
    public synchronized void close() {
        open.values().forEach(TargetPools::close);
        open.clear();
    }
}

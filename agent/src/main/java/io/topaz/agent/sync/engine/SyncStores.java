package io.topaz.agent.sync.engine;

import io.topaz.agent.sync.SourceOrders;
import io.topaz.agent.sync.TargetOrders;

import javax.sql.DataSource;

/** Opens the database layer ({@code sync.db}) over a pool the engine owns and sizes. */
public interface SyncStores {

    /** @param jdbcUrl the source's URL, which tells its dialect */
    SourceOrders source(DataSource pool, String jdbcUrl);

    /** @param jdbcUrl the target's URL, which tells its dialect */
    TargetOrders target(DataSource pool, String jdbcUrl);
}

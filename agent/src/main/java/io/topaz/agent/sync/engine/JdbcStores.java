package io.topaz.agent.sync.engine;

import io.topaz.agent.sync.SourceOrders;
import io.topaz.agent.sync.TargetOrders;
import io.topaz.agent.sync.db.Dialect;
import io.topaz.agent.sync.db.JdbcSourceOrders;
import io.topaz.agent.sync.db.JdbcTargetOrders;

import java.time.Clock;
import javax.sql.DataSource;

/** The JDBC database layer ({@code io.topaz.agent.sync.db}) for PostgreSQL, MariaDB/MySQL and H2. */
public final class JdbcStores implements SyncStores {

    private final Clock clock;

    /** @param clock stamps the target's {@code jdp_created} / {@code jdp_modified} */
    public JdbcStores(Clock clock) {
        this.clock = clock;
    }

    @Override
    public SourceOrders source(DataSource pool, String jdbcUrl) {
        return new JdbcSourceOrders(pool, Dialect.ofUrl(jdbcUrl));
    }

    @Override
    public TargetOrders target(DataSource pool, String jdbcUrl) {
        return new JdbcTargetOrders(pool, Dialect.ofUrl(jdbcUrl), clock);
    }
}

package io.topaz.agent.sync.engine;

import io.topaz.agent.sync.SourceOrders;
import io.topaz.agent.sync.TargetOrders;

import javax.sql.DataSource;

/** The JDBC database layer ({@code io.topaz.agent.sync.db}) for PostgreSQL, MariaDB/MySQL and H2. */
public final class JdbcStores implements SyncStores {

    public static final JdbcStores INSTANCE = new JdbcStores();

    private JdbcStores() {
    }

    @Override
    public SourceOrders source(DataSource pool) {
        throw new UnsupportedOperationException("the JDBC order store is not built in yet");
    }

    @Override
    public TargetOrders target(DataSource pool, String jdbcUrl) {
        throw new UnsupportedOperationException("the JDBC order store is not built in yet");
    }
}

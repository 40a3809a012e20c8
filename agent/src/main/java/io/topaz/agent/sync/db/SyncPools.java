package io.topaz.agent.sync.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * Bounded connection pools towards the order databases. The driver settings the sync relies on are set here:
 * MariaDB reports affected rows (1 inserted, 2 updated, 0 unchanged — the default "found rows" would count an
 * unchanged row as 1, indistinguishable from an insert) and sends batches statement by statement so each row's count
 * comes back (its bulk protocol answers {@code SUCCESS_NO_INFO}); PostgreSQL is left without
 * {@code reWriteBatchedInserts} for the same reason. Transactions are READ COMMITTED everywhere (fewer gap locks on
 * MariaDB). A {@code jdbc:mysql:} URL is spoken through the MariaDB driver.
 */
public final class SyncPools {

    private SyncPools() {
    }

    /**
     * A pool of at most {@code maxConnections}. The password may be empty; it is never logged (HikariCP logs the
     * URL, which must not carry one — {@code SyncTarget} refuses such URLs).
     */
    public static HikariDataSource open(String name, String jdbcUrl, String user, String password,
                                        int maxConnections) {
        Dialect dialect = Dialect.ofUrl(jdbcUrl);
        HikariConfig config = new HikariConfig();
        config.setPoolName("sync-" + name);
        config.setJdbcUrl(dialect == Dialect.MARIADB && jdbcUrl.startsWith("jdbc:mysql:")
                ? "jdbc:mariadb:" + jdbcUrl.substring("jdbc:mysql:".length()) : jdbcUrl);
        config.setUsername(user);
        config.setPassword(password == null ? "" : password);
        config.setMaximumPoolSize(maxConnections);
        config.setMinimumIdle(Math.min(1, maxConnections));
        config.setConnectionTimeout(10_000);
        config.setInitializationFailTimeout(-1);
        config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        switch (dialect) {
            case MARIADB -> {
                config.addDataSourceProperty("useAffectedRows", "true");
                config.addDataSourceProperty("useBulkStmts", "false");
                config.addDataSourceProperty("useBulkStmtsForInserts", "false");
            }
            case POSTGRESQL -> config.addDataSourceProperty("reWriteBatchedInserts", "false");
            case H2 -> {
            }
        }
        return new HikariDataSource(config);
    }
}

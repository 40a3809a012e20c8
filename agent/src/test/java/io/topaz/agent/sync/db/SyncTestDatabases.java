package io.topaz.agent.sync.db;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Assumptions;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;

/**
 * Fresh order databases for one test: a PostgreSQL or MariaDB database (the real services on 127.0.0.1, addresses
 * overridable by {@code TOPAZ_PG_URL} / {@code TOPAZ_MARIADB_URL}), or an in-memory H2 one, each with a random name,
 * dropped on {@link Db#close()}. Under {@code CI=true} a missing service fails the test; elsewhere it is skipped.
 */
public final class SyncTestDatabases {

    public static final String PG_ADMIN_URL = env("TOPAZ_PG_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
    public static final String PG_USER = env("TOPAZ_PG_USER", "postgres");
    public static final String MARIADB_ADMIN_URL = env("TOPAZ_MARIADB_URL", "jdbc:mariadb://127.0.0.1:3306/");
    public static final String MARIADB_USER = env("TOPAZ_MARIADB_USER", "root");

    private SyncTestDatabases() {
    }

    /** A database and a bounded pool on it; closing drops the database. */
    public record Db(Dialect dialect, String url, String user, HikariDataSource pool, Runnable drop)
            implements AutoCloseable {

        @Override
        public void close() {
            pool.close();
            drop.run();
        }

        /**
         * Refreshes the planner's statistics of {@code table}, as autovacuum keeps them on a live database: a table
         * bulk-loaded a moment ago has none yet (PostgreSQL then assumes it is tiny and plans a backfill page as a sort
         * of the whole group, a second a page at 1,000,000 rows — seen in the soak before this).
         */
        public void analyze(String table) throws java.sql.SQLException {
            try (java.sql.Connection c = pool.getConnection(); java.sql.Statement st = c.createStatement()) {
                st.execute(dialect == Dialect.POSTGRESQL ? "ANALYZE " + table : "ANALYZE TABLE " + table);
            }
        }
    }

    public static Db create(Dialect dialect) {
        return create(dialect, 4);
    }

    public static Db create(Dialect dialect, int maxConnections) {
        String name = "topaz_sync_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        return switch (dialect) {
            case POSTGRESQL -> {
                admin(PG_ADMIN_URL, PG_USER, "create database " + name, "PostgreSQL",
                        "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start");
                String url = PG_ADMIN_URL.substring(0, PG_ADMIN_URL.lastIndexOf('/') + 1) + name;
                yield new Db(dialect, url, PG_USER, SyncPools.open(name, url, PG_USER, "", maxConnections),
                        () -> dropQuietly(PG_ADMIN_URL, PG_USER, "drop database if exists " + name + " with (force)"));
            }
            case MARIADB -> {
                admin(MARIADB_ADMIN_URL, MARIADB_USER, "create database " + name
                        + " character set utf8mb4 collate utf8mb4_bin", "MariaDB", "bash scripts/services.sh");
                String base = MARIADB_ADMIN_URL.endsWith("/") ? MARIADB_ADMIN_URL : MARIADB_ADMIN_URL + "/";
                String url = base + name;
                yield new Db(dialect, url, MARIADB_USER, SyncPools.open(name, url, MARIADB_USER, "", maxConnections),
                        () -> dropQuietly(MARIADB_ADMIN_URL, MARIADB_USER, "drop database if exists " + name));
            }
            case H2 -> {
                String url = "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1";
                HikariDataSource pool = SyncPools.open(name, url, "sa", "", maxConnections);
                yield new Db(dialect, url, "sa", pool, () -> dropQuietly(url, "sa", "shutdown"));
            }
        };
    }

    private static void admin(String url, String user, String sql, String service, String start) {
        try (Connection c = DriverManager.getConnection(url, user, ""); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (Exception e) {
            String message = service + " at " + url + " is not reachable (" + e.getMessage() + "); start it with: "
                    + start;
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(message, e);
            }
            Assumptions.abort(message);
        }
    }

    private static void dropQuietly(String url, String user, String sql) {
        try (Connection c = DriverManager.getConnection(url, user, ""); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (Exception ignored) {
            // best effort: a leftover database has a unique name and collides with nothing
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}

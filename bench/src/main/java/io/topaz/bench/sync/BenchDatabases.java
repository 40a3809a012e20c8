package io.topaz.bench.sync;

import com.zaxxer.hikari.HikariDataSource;
import io.topaz.agent.sync.db.Dialect;
import io.topaz.agent.sync.db.JdbcSourceOrders;
import io.topaz.agent.sync.db.JdbcTargetOrders;
import io.topaz.agent.sync.db.SyncPools;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.UUID;

/**
 * The benchmark's databases: a PostgreSQL source and a MariaDB target (the real services; addresses from
 * {@code BENCH_SYNC_PG_URL} and {@code BENCH_SYNC_MARIADB_URL}), each a fresh database with a random name, dropped on
 * {@link #close()}.
 */
final class BenchDatabases implements AutoCloseable {

    static final String PG_SERVER = env("BENCH_SYNC_PG_URL", "jdbc:postgresql://127.0.0.1:5432");
    static final String PG_PARAMS = env("BENCH_SYNC_PG_PARAMS", "?user=postgres");
    static final String MARIADB_SERVER = env("BENCH_SYNC_MARIADB_URL", "jdbc:mariadb://127.0.0.1:3306");
    static final String MARIADB_PARAMS = env("BENCH_SYNC_MARIADB_PARAMS", "?user=root");

    final String name;
    final String sourceUrl;
    final String targetUrl;
    final String targetUser;
    private HikariDataSource sourcePool;
    private HikariDataSource targetPool;

    BenchDatabases(String purpose) throws SQLException {
        name = "topaz_bench_" + purpose + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        sourceUrl = PG_SERVER + "/" + name + PG_PARAMS;
        targetUrl = MARIADB_SERVER + "/" + name;
        targetUser = MARIADB_PARAMS.replaceAll(".*user=([^&]*).*", "$1");
        OrdersDb.createDatabase(sourceUrl);
        OrdersDb.createDatabase(targetUrl + MARIADB_PARAMS);
    }

    /** The source over a pool of {@code connections} (its schema created). */
    JdbcSourceOrders source(int connections) throws SQLException {
        sourcePool = SyncPools.open("bench-source", sourceUrl, null, null, connections);
        JdbcSourceOrders s = new JdbcSourceOrders(sourcePool, Dialect.POSTGRESQL);
        s.ensureSchema();
        return s;
    }

    /** The target over a pool of {@code connections} (its schema created). */
    JdbcTargetOrders target(int connections) throws SQLException {
        targetPool = SyncPools.open("bench-target", targetUrl, targetUser, "", connections);
        JdbcTargetOrders t = new JdbcTargetOrders(targetPool, Dialect.MARIADB, Clock.systemUTC());
        t.ensureSchema();
        return t;
    }

    HikariDataSource sourcePool() {
        return sourcePool;
    }

    HikariDataSource targetPool() {
        return targetPool;
    }

    @Override
    public void close() {
        if (sourcePool != null) {
            sourcePool.close();
        }
        if (targetPool != null) {
            targetPool.close();
        }
        drop(PG_SERVER + "/postgres" + PG_PARAMS, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        drop(MARIADB_SERVER + "/" + MARIADB_PARAMS, "DROP DATABASE IF EXISTS " + name);
    }

    private static void drop(String url, String sql) {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            System.err.println("bench-sync: could not drop a bench database (" + e.getMessage() + ")");
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}

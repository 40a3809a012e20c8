package io.topaz.control;

import org.junit.jupiter.api.Assumptions;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;

/**
 * The real services tests use. Addresses come from the environment with this machine's defaults. Under {@code CI=true}
 * a missing service fails the test with the command that starts it; elsewhere the test is skipped with that message.
 */
public final class TestServices {

    public static final String PG_URL = env("TOPAZ_PG_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
    public static final String PG_USER = env("TOPAZ_PG_USER", "postgres");

    private TestServices() {
    }

    /** Creates a fresh PostgreSQL database for one test class and returns its JDBC URL. */
    public static String createPostgresDatabase() {
        String name = "topaz_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, "");
             Statement s = c.createStatement()) {
            s.execute("create database " + name);
        } catch (Exception e) {
            unavailable("PostgreSQL at " + PG_URL + " (" + e.getMessage() + ")",
                    "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start");
        }
        return PG_URL.substring(0, PG_URL.lastIndexOf('/') + 1) + name;
    }

    public static void dropPostgresDatabase(String url) {
        String name = url.substring(url.lastIndexOf('/') + 1);
        try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, "");
             Statement s = c.createStatement()) {
            s.execute("drop database if exists " + name + " with (force)");
        } catch (Exception ignored) {
            // best effort: a leftover database has a unique name and collides with nothing
        }
    }

    /** A Redis URI for tests, checked to answer; the caller uses its own key prefix. */
    public static String redisUri() {
        String host = env("TOPAZ_REDIS_HOST", "127.0.0.1");
        int port = Integer.parseInt(env("TOPAZ_REDIS_PORT", "6379"));
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(host, port), 1_000);
        } catch (java.io.IOException e) {
            unavailable("Redis at " + host + ":" + port, "bash scripts/services.sh");
        }
        return "redis://" + host + ":" + port + "/0";
    }

    private static void unavailable(String service, String startCommand) {
        String message = service + " is not reachable; start it with: " + startCommand;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(message);
        }
        Assumptions.abort(message);
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}

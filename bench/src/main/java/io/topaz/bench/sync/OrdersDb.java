package io.topaz.bench.sync;

import com.zaxxer.hikari.HikariDataSource;
import io.topaz.agent.sync.db.Dialect;
import io.topaz.agent.sync.db.JdbcSourceOrders;
import io.topaz.agent.sync.db.SyncPools;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The order databases of the demo and the benchmark: creates a PostgreSQL or MariaDB database named in a JDBC URL when
 * it is missing (H2 creates its own: the quickstart's H2 server runs with {@code -ifNotExists}), and the platform's
 * {@code tb_trade}. Run by {@code scripts/quickstart.sh}:
 * {@code OrdersDb --source <orders db url> [--target <sync target url>]}.
 */
public final class OrdersDb {

    /** {@code jdbc:<postgresql|mariadb|mysql>://host[:port]/<database>[?params]}. */
    private static final Pattern SERVER_URL =
            Pattern.compile("(jdbc:(?:postgresql|mariadb|mysql)://[^/?]+)/([A-Za-z0-9_]+)(\\?.*)?");

    private OrdersDb() {
    }

    public static void main(String[] args) throws Exception {
        String source = null;
        String target = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--source" -> source = args[i + 1];
                case "--target" -> target = args[i + 1];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (use --source <jdbc url> [--target <jdbc url>])");
            }
        }
        if (source == null) {
            throw new IllegalArgumentException("--source <jdbc url> is required");
        }
        try {
            createDatabase(source);
            try (JdbcSourceOrders orders = new JdbcSourceOrders(pool(source, 2), Dialect.ofUrl(source))) {
                orders.ensureSchema();
            }
            if (target != null) {
                createDatabase(target);
            }
        } catch (SQLException e) {
            System.err.println("orders-db: " + e.getMessage());
            System.exit(1);
        }
    }

    /** A pool on {@code url} (user and password in the URL, if any) of at most {@code connections}. */
    static HikariDataSource pool(String url, int connections) {
        return SyncPools.open("orders", url, null, null, connections);
    }

    /** Creates the database a PostgreSQL or MariaDB URL names, unless it exists; nothing for H2. */
    static void createDatabase(String url) throws SQLException {
        Matcher m = SERVER_URL.matcher(url);
        if (!m.matches()) {
            if (!url.startsWith("jdbc:h2:")) {
                throw new SQLException("cannot tell the database of " + url + ": expected "
                        + "jdbc:postgresql://host:port/<database>[?…] or jdbc:mariadb://host:port/<database>[?…]");
            }
            return;
        }
        String server = m.group(1);
        String name = m.group(2);
        String params = m.group(3) == null ? "" : m.group(3);
        if (url.startsWith("jdbc:postgresql:")) {
            try (Connection c = DriverManager.getConnection(server + "/postgres" + params);
                 PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        try (Statement s = c.createStatement()) {
                            s.execute("CREATE DATABASE " + name);
                        }
                    }
                }
            }
        } else {
            String mariadb = server.replace("jdbc:mysql:", "jdbc:mariadb:");
            try (Connection c = DriverManager.getConnection(mariadb + "/" + params);
                 Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE IF NOT EXISTS " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
            }
        }
    }
}

package io.topaz.agent.sync.engine;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A MariaDB target whose connection is killed mid-batch: every {@code every}-th commit, up to {@code kills} times, the
 * server is told to {@code KILL CONNECTION} the committing connection (through a separate admin connection) just
 * before the commit — the batch's statements have run, the transaction dies with the connection.
 */
final class KillingDataSource implements DataSource {

    private final DataSource pool;
    private final String adminUrl;
    private final String user;
    private final int every;
    private final int kills;
    private final AtomicInteger commits = new AtomicInteger();
    final AtomicInteger killed = new AtomicInteger();

    KillingDataSource(DataSource pool, String adminUrl, String user, int every, int kills) {
        this.pool = pool;
        this.adminUrl = adminUrl;
        this.user = user;
        this.every = every;
        this.kills = kills;
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection c = pool.getConnection();
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("commit") && commits.incrementAndGet() % every == 0
                            && killed.get() < kills) {
                        kill(c);
                    }
                    try {
                        return method.invoke(c, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private void kill(Connection c) throws SQLException {
        long id;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
            rs.next();
            id = rs.getLong(1);
        }
        try (Connection admin = DriverManager.getConnection(adminUrl, user, ""); Statement s = admin.createStatement()) {
            s.execute("KILL CONNECTION " + id);
        }
        killed.incrementAndGet();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return pool.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        pool.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        pool.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return pool.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() {
        return Logger.getGlobal();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return pool.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return pool.isWrapperFor(iface);
    }
}

package io.topaz.bench.sync;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Samples, on a thread of its own, how many connections the sync target's database user holds as MariaDB itself sees
 * them ({@code information_schema.processlist}, filtered by that user), every {@code everyMillis}: the highest count,
 * and every sample above the cluster's connection budget. Its own connection is root's, so it is not counted.
 */
final class ConnectionSampler implements AutoCloseable {

    private final String user;
    private final int budget;
    private final Thread thread;
    private final AtomicInteger max = new AtomicInteger();
    private final AtomicLong samples = new AtomicLong();
    private final List<String> over = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;
    private volatile String failure;

    /** @param serverUrl a JDBC URL of the MariaDB server with root's credentials */
    ConnectionSampler(String serverUrl, String user, int budget, long everyMillis) throws SQLException {
        this.user = user;
        this.budget = budget;
        Connection c = DriverManager.getConnection(serverUrl);
        this.thread = new Thread(() -> loop(c, everyMillis), "connection-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop(Connection c, long everyMillis) {
        try (c; PreparedStatement ps = c.prepareStatement(
                "SELECT COUNT(*) FROM information_schema.processlist WHERE user = ?")) {
            ps.setString(1, user);
            while (running) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    int n = rs.getInt(1);
                    max.accumulateAndGet(n, Math::max);
                    samples.incrementAndGet();
                    if (n > budget) {
                        over.add(Instant.now() + ": " + n + " connections of " + user + " (budget " + budget + ")");
                    }
                }
                Thread.sleep(everyMillis); // a sampling period, not a wait for something to happen
            }
        } catch (SQLException e) {
            failure = e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    int max() {
        return max.get();
    }

    long samples() {
        return samples.get();
    }

    /** The samples above the budget; a sampler that failed reports its failure here too. */
    List<String> overBudget() {
        List<String> out = new ArrayList<>(over);
        if (failure != null) {
            out.add("the sampler failed: " + failure);
        }
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(5_000);
    }
}

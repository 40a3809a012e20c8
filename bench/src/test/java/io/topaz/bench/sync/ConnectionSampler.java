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
    private final Connection connection;
    private final PreparedStatement count;
    private final java.util.concurrent.ScheduledExecutorService executor;
    private final AtomicInteger max = new AtomicInteger();
    private final AtomicLong samples = new AtomicLong();
    private final List<String> over = new CopyOnWriteArrayList<>();
    private volatile String failure;

    /** @param serverUrl a JDBC URL of the MariaDB server with root's credentials */
    ConnectionSampler(String serverUrl, String user, int budget, long everyMillis) throws SQLException {
        this.user = user;
        this.budget = budget;
        this.connection = DriverManager.getConnection(serverUrl);
        this.count = connection.prepareStatement("SELECT COUNT(*) FROM information_schema.processlist WHERE user = ?");
        count.setString(1, user);
        this.executor = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "connection-sampler");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::sample, 0, everyMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private void sample() {
        if (failure != null) {
            return;
        }
        try (ResultSet rs = count.executeQuery()) {
            rs.next();
            int n = rs.getInt(1);
            max.accumulateAndGet(n, Math::max);
            samples.incrementAndGet();
            if (n > budget) {
                over.add(Instant.now() + ": " + n + " connections of " + user + " (budget " + budget + ")");
            }
        } catch (SQLException e) {
            failure = e.toString();
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
        executor.shutdownNow();
        executor.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing the sampler's own connection
        }
    }
}

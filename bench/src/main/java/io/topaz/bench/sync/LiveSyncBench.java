package io.topaz.bench.sync;

import io.topaz.agent.sync.BucketRange;
import io.topaz.agent.sync.FullReconciliation;
import io.topaz.agent.sync.SellerScope;
import io.topaz.agent.sync.db.JdbcSourceOrders;
import io.topaz.agent.sync.db.JdbcTargetOrders;
import io.topaz.bench.messaging.TopazCluster;
import io.topaz.model.config.SellerGroup;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The live part of {@code scripts/bench-sync.sh}: a Topaz cluster of processes (control plane and agents from the
 * built jars, the agents with {@code --orders-db-url} on a PostgreSQL source), a sync target on MariaDB covering four
 * seller groups, and the order generator ({@link OrderGenerator}) writing and publishing at a fixed rate. After a
 * warm-up it measures, over the measured seconds: the changes per second the source took and the sync consumed, the
 * lag (source {@code modified} → target written) as the engine reports it ({@code GET /sync}, p99 over the last
 * minute) and as the target's rows show it ({@code jdp_modified - modified} of every order changed in the window), and
 * the source reads and target writes against the naive baseline of one read and one write per message. At the end
 * the target must equal the source ({@link FullReconciliation}).
 */
final class LiveSyncBench {

    /** The figures of one run. */
    record Result(int rate, double generatedRate, double consumedRate, long messages, long sourceReads,
                  long readsSaved, long writes, long skipped, long engineLagP99, long rowLagP50, long rowLagP99, long rowLagMax, long rows,
                  double drainSeconds, int differencesAfter, long publishFailures, boolean backlog, double burst,
                  long published, long queueDelivered, long queueRedelivered, double publishedRate) {
    }

    /**
     * What to run. {@code burst}: the generator's burst probability ({@link TradeCenter}); {@code backlog}: when
     * true, the messages are published while no agent syncs the groups (the target exists, so they are queued for
     * it, but its groups are assigned to no cluster), then the groups are assigned and the sync drains the backlog:
     * {@code consumedRate} is then the drain rate, with the machine to itself.
     */
    record Settings(int rate, int warmupSeconds, int seconds, int sellers, double skew, int openPerSeller, int agents,
                    List<String> agentJvm, Path repo, Path dir, double burst, boolean backlog) {

        Settings(int rate, int warmupSeconds, int seconds, int sellers, double skew, int openPerSeller, int agents,
                 List<String> agentJvm, Path repo, Path dir) {
            this(rate, warmupSeconds, seconds, sellers, skew, openPerSeller, agents, agentJvm, repo, dir, 0, false);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> GROUPS = List.of("bench-g0", "bench-g1", "bench-g2", "bench-g3");
    /** The sync target's app, which every generated seller permits. */
    static final String APP = "bench-jdp";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private LiveSyncBench() {
    }

    static Result run(Settings s, PrintStream out) throws Exception {
        try (BenchDatabases db = new BenchDatabases("live")) {
            JdbcSourceOrders source = db.source(4);
            out.printf("bench-sync: starting a control plane and %d agent(s) syncing %s → MariaDB %s…%n",
                    s.agents(), db.name, db.name);
            try (TopazCluster cluster = TopazCluster.start(s.repo(), s.dir(), s.agents(),
                    s.agentJvm(), List.of("--orders-db-url=" + db.sourceUrl))) {
                String token = seed(cluster, db, "", !s.backlog());
                if (!s.backlog()) {
                    awaitGroups(cluster);
                }
                JdbcTargetOrders target = db.target(2);
                List<TradeCenter.Seller> sellers = TradeCenter.sellers(s.sellers(), 3_300_000_001L, "bench_seller_0");
                registerSellers(cluster, sellers);
                if (!s.backlog()) {
                    awaitSellers(cluster, sellers.size());
                }
                int total = s.warmupSeconds() + s.seconds();
                OrderGenerator.Settings g = new OrderGenerator.Settings(s.rate(), total, s.sellers(), 0, s.skew(),
                        s.openPerSeller(), db.sourceUrl, cluster.agents().get(0).broker(), token, null, null,
                        3_300_000_001L, "bench_seller_0", 18, s.burst());
                BrokerPublisher publisher = new BrokerPublisher(g.broker(), token, 512);
                OrderGenerator generator = new OrderGenerator(g, db.sourcePool(), source, publisher,
                        System::currentTimeMillis);
                if (s.backlog()) {
                    return BacklogDrain.run(s, cluster, sellers, generator, publisher, source, target, out);
                }
                out.printf("bench-sync: %d changes/s for %d s (%d s warm-up) over %d sellers…%n", s.rate(), total,
                        s.warmupSeconds(), s.sellers());
                CompletableFuture<OrderGenerator.Totals> run = CompletableFuture.supplyAsync(() -> {
                    try {
                        return generator.run(sellers, false);
                    } catch (Exception e) {
                        throw new IllegalStateException("the generator failed: " + e.getMessage(), e);
                    }
                });
                Thread.sleep(s.warmupSeconds() * 1000L);
                long windowStart = System.currentTimeMillis();
                long[] before = totals(cluster);
                long ackedBefore = publisher.acknowledged();
                Thread.sleep(s.seconds() * 1000L);
                long[] after = totals(cluster);
                long acked = publisher.acknowledged() - ackedBefore;
                long windowEnd = System.currentTimeMillis();
                long engineLag = engineLagP99(cluster);
                OrderGenerator.Totals totals = run.join();
                publisher.close();
                out.println("bench-sync: generator: " + totals.stages());
                long drainStart = System.nanoTime();
                awaitDrained(cluster, totals.acknowledged(), Duration.ofSeconds(120));
                double drain = (System.nanoTime() - drainStart) / 1e9;
                long[] lag = rowLag(db, windowStart, windowEnd);
                FullReconciliation.Result check = new FullReconciliation(source, target)
                        .run(SellerScope.all(new BucketRange(0, SellerGroup.BUCKETS)), 0, Long.MAX_VALUE);
                double window = (windowEnd - windowStart) / 1000.0;
                long[] queues = syncQueues(cluster);
                return new Result(s.rate(), totals.rate(), (after[0] - before[0]) / window, after[0] - before[0],
                        after[1] - before[1], after[4] - before[4], after[2] - before[2], after[3] - before[3],
                        engineLag, lag[0], lag[1],
                        lag[2], lag[3], drain, check.differences().size(), totals.failed(), false, s.burst(), acked,
                        queues[0], queues[1], acked / window);
            }
        }
    }

    /**
     * Topics, seller groups, their assignments, the target (with {@code targetOptions}: more JSON fields, each
     * followed by a comma, e.g. {@code "\"reconcileSeconds\":2,"}) and a PUBLISHER token; returns the token.
     */
    static String seed(TopazCluster cluster, BenchDatabases db, String targetOptions) throws Exception {
        return seed(cluster, db, targetOptions, true);
    }

    /** As above; without {@code assign}, the groups are assigned to no cluster (nobody syncs them yet). */
    static String seed(TopazCluster cluster, BenchDatabases db, String targetOptions, boolean assign)
            throws Exception {
        cluster.createApp(APP);
        List<String> topics = List.of(TradeCenter.CREATE, TradeCenter.CHANGED, TradeCenter.CLOSE);
        for (String topic : topics) {
            cluster.seed("/api/v1/topics", topic, "{\"name\":\"" + topic + "\",\"group\":\"taobao_trade\","
                    + "\"producerApps\":[\"" + APP + "\"],\"dataIdField\":\"tid\"}");
        }
        // the target's app subscribes to the trade topics, so its sellers can permit it (taobao.tmc.user.permit)
        cluster.seed("/api/v1/subscriptions", APP, "{\"appKey\":\"" + APP + "\",\"topics\":"
                + JSON.writeValueAsString(topics) + "}");
        int width = SellerGroup.BUCKETS / GROUPS.size();
        for (int i = 0; i < GROUPS.size(); i++) {
            cluster.seed("/api/v1/seller-groups", GROUPS.get(i), "{\"name\":\"" + GROUPS.get(i)
                    + "\",\"bucketFrom\":" + i * width + ",\"bucketTo\":" + (i + 1) * width + "}");
        }
        if (assign) {
            assignGroups(cluster);
        }
        cluster.seed("/api/v1/sync-targets", APP, "{\"name\":\"" + APP + "\",\"appKey\":\"" + APP + "\","
                + "\"jdbcUrl\":\"" + db.targetUrl + "\",\"user\":\"" + db.targetUser + "\",\"sellerGroups\":"
                + JSON.writeValueAsString(GROUPS) + "," + targetOptions
                + "\"maxConnections\":8,\"backfillDays\":0}");
        cluster.publishAndAwait();
        return cluster.admin("POST", "/api/v1/tokens", "{\"name\":\"bench-orders\",\"role\":\"PUBLISHER\"}", 201)
                .get("token").asString();
    }

    static void assignGroups(TopazCluster cluster) throws Exception {
        for (String g : GROUPS) {
            cluster.seed("/api/v1/assignments", g, "{\"sellerGroup\":\"" + g + "\",\"cluster\":\"bench\"}");
        }
    }

    /**
     * Registers the sellers with the control plane and has each permit the sync target's app for every topic it
     * subscribes to ({@code taobao.tmc.user.permit}, given with the seller's session of the app, as the quickstart
     * seeds its demo seller): only sellers who authorized the target's app are synced. Eight at a time.
     */
    static void registerSellers(TopazCluster cluster, List<TradeCenter.Seller> sellers) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (TradeCenter.Seller s : sellers) {
                done.add(pool.submit(() -> {
                    cluster.admin("POST", "/api/v1/users", "{\"userId\":\"" + s.id() + "\",\"nick\":\""
                            + s.nick() + "\"}", -1);
                    cluster.admin("POST", "/api/v1/sessions", "{\"appKey\":\"" + APP + "\",\"userId\":\""
                            + s.id() + "\"}", 201);
                    cluster.asAgent("POST", "/api/v1/metadata/tmc/apps/" + APP + "/permits/permit",
                            "{\"userId\":\"" + s.id() + "\"}", 200);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Waits until the syncing groups hold every permitted seller (the sync copies those sellers only). */
    static void awaitSellers(TopazCluster cluster, int sellers) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            long synced = groups(cluster).stream().filter(g -> !g.path("holder").isNull())
                    .mapToLong(g -> g.path("sellers").asLong(0)).sum();
            if (synced == sellers) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the sync groups did not take the " + sellers
                        + " permitted sellers in 60 s: " + groups(cluster));
            }
            Thread.sleep(250);
        }
    }

    /** The broker's counters of the sync's queues (apps {@code __sync.*}) over the run: delivered, redelivered. */
    static long[] syncQueues(TopazCluster cluster) throws Exception {
        long[] t = new long[2];
        for (JsonNode agent : cluster.admin("GET", "/api/v1/messages/queues", null, 200).path("agents")) {
            for (JsonNode q : agent.path("queues")) {
                if (q.path("app").asString().startsWith("__sync.")) {
                    t[0] += q.path("delivered").asLong();
                    t[1] += q.path("redelivered").asLong();
                }
            }
        }
        return t;
    }

    /** The agents' {@code GET /sync} groups. */
    static List<JsonNode> groups(TopazCluster cluster) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (TopazCluster.Agent a : cluster.agents()) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(a.admin().resolve("/sync"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                JSON.readTree(r.body()).get("groups").forEach(out::add);
            }
        }
        return out;
    }

    static void awaitGroups(TopazCluster cluster) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            List<JsonNode> gs = groups(cluster);
            long running = gs.stream().filter(g -> !g.path("holder").isNull() && g.has("messages")).count();
            if (running == GROUPS.size()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the sync groups did not start in 60 s: " + gs);
            }
            Thread.sleep(250);
        }
    }

    /** Summed over the groups: messages, source reads, writes, skipped, reads saved. */
    static long[] totals(TopazCluster cluster) throws Exception {
        long[] t = new long[5];
        for (JsonNode g : groups(cluster)) {
            t[0] += g.path("messages").asLong();
            t[1] += g.path("sourceReads").asLong();
            t[2] += g.path("writes").asLong();
            t[3] += g.path("skipped").asLong();
            t[4] += g.path("readsSaved").asLong();
        }
        return t;
    }

    private static long engineLagP99(TopazCluster cluster) throws Exception {
        long max = 0;
        for (JsonNode g : groups(cluster)) {
            max = Math.max(max, g.path("lagP99Millis").asLong());
        }
        return max;
    }

    /** Waits until the groups have consumed every acknowledged message and stopped consuming. */
    private static void awaitDrained(TopazCluster cluster, long acknowledged, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long last = -1;
        while (System.nanoTime() < deadline) {
            long consumed = totals(cluster)[0];
            if (consumed >= acknowledged && consumed == last) {
                return;
            }
            last = consumed;
            Thread.sleep(500);
        }
    }

    /** p50, p99 and max of {@code jdp_modified - modified} over the target rows modified in the window, and count. */
    private static long[] rowLag(BenchDatabases db, long fromMillis, long toMillis) throws Exception {
        List<Long> lags = new ArrayList<>();
        try (Connection c = db.targetPool().getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT TIMESTAMPDIFF(MICROSECOND, modified, jdp_modified) FROM jdp_tb_trade "
                        + "WHERE modified >= ? AND modified < ?")) {
            ps.setObject(1, LocalDateTime.ofEpochSecond(fromMillis / 1000, (int) (fromMillis % 1000) * 1_000_000,
                    ZoneOffset.UTC));
            ps.setObject(2, LocalDateTime.ofEpochSecond(toMillis / 1000, (int) (toMillis % 1000) * 1_000_000,
                    ZoneOffset.UTC));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    lags.add(rs.getLong(1) / 1000);
                }
            }
        }
        if (lags.isEmpty()) {
            return new long[] {-1, -1, -1, 0};
        }
        long[] sorted = lags.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        return new long[] {sorted[sorted.length / 2], sorted[(int) Math.min(sorted.length - 1, sorted.length * 0.99)],
                sorted[sorted.length - 1], sorted.length};
    }

    static void print(Result r, PrintStream out) {
        if (r.backlog()) {
            out.printf("backlog drain (PostgreSQL source, MariaDB target, merge window 100 ms, burst %.2f): %,d messages "
                    + "published at up to %,d changes/s (%,.0f achieved) with nobody syncing, then the groups "
                    + "assigned:%n", r.burst(), r.messages(), r.rate(), r.generatedRate());
            out.printf("  drained in %.1f s = %,.0f messages/s (group start included)%n", r.drainSeconds(),
                    r.consumedRate());
        } else {
            out.printf("live sync at %,d changes/s (PostgreSQL source, MariaDB target, merge window 100 ms, burst "
                    + "%.2f):%n", r.rate(), r.burst());
            out.printf("  generated %,.0f changes/s over the run (written and published), %,.0f/s in the measured "
                    + "window; the sync consumed %,.0f deliveries/s%n", r.generatedRate(), r.publishedRate(),
                    r.consumedRate());
            out.printf("  lag p99 %d ms (engine, last minute); per order row p50 %d ms, p99 %d ms, max %d ms over %,d "
                    + "rows; drained %.1f s after the generator stopped%n", r.engineLagP99(), r.rowLagP50(),
                    r.rowLagP99(), r.rowLagMax(), r.rows(), r.drainSeconds());
        }
        double reads = r.published() == 0 ? 0 : 100.0 * (1 - (double) r.sourceReads() / r.published());
        double writes = r.published() == 0 ? 0 : 100.0 * (1 - (double) r.writes() / r.published());
        out.printf("  %,d messages published → %,d source rows read (%.1f %% fewer than the naive one read per "
                + "message), %,d target writes (%.1f %% fewer), %,d writes skipped by the modified/hashcode "
                + "comparison%n", r.published(), r.sourceReads(), reads, r.writes(), writes, r.skipped());
        out.printf("  the sync consumed %,d deliveries for them (%.1f %% fewer reads than one per delivery); the "
                + "broker's sync queues over the whole run: %,d delivered, %,d of them redelivered%n", r.messages(),
                r.messages() == 0 ? 0 : 100.0 * (1 - (double) r.sourceReads() / r.messages()), r.queueDelivered(),
                r.queueRedelivered());
        out.printf("  %,d orders confirmed without a source read (their messages announced nothing newer than the "
                + "group had written)%n", r.readsSaved());
        out.printf("  target equals source after the run: %s; publish failures: %d%n",
                r.differencesAfter() == 0 ? "yes" : "NO, " + r.differencesAfter() + " differences",
                r.publishFailures());
        out.printf("  %.2f messages published per source row read (changes of one order merged into one read)%n",
                r.sourceReads() == 0 ? 0.0 : (double) r.published() / r.sourceReads());
        out.printf("  targets: lag p99 <= 1 s at >= 5,000/s: %s; >= 90 %% fewer reads: %s%n", r.backlog() ? "n/a"
                : r.rowLagP99() <= 1000 && r.engineLagP99() <= 1000 && r.publishedRate() >= 5000 ? "met" : "NOT met",
                reads >= 90 ? "met" : "NOT met");
    }
}

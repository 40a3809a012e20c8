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
                  double drainSeconds, int differencesAfter, long publishFailures) {
    }

    /** What to run. */
    record Settings(int rate, int warmupSeconds, int seconds, int sellers, double skew, int openPerSeller, int agents,
                    List<String> agentJvm, Path repo, Path dir) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> GROUPS = List.of("bench-g0", "bench-g1", "bench-g2", "bench-g3");
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
                String token = seed(cluster, db, "");
                awaitGroups(cluster);
                JdbcTargetOrders target = db.target(2);
                List<TradeCenter.Seller> sellers = TradeCenter.sellers(s.sellers(), 3_300_000_001L, "bench_seller_0");
                registerSellers(cluster, sellers);
                int total = s.warmupSeconds() + s.seconds();
                OrderGenerator.Settings g = new OrderGenerator.Settings(s.rate(), total, s.sellers(), 0, s.skew(),
                        s.openPerSeller(), db.sourceUrl, cluster.agents().get(0).broker(), token, null, null,
                        3_300_000_001L, "bench_seller_0", 18);
                BrokerPublisher publisher = new BrokerPublisher(g.broker(), token, 512);
                OrderGenerator generator = new OrderGenerator(g, db.sourcePool(), source, publisher,
                        System::currentTimeMillis);
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
                Thread.sleep(s.seconds() * 1000L);
                long[] after = totals(cluster);
                long windowEnd = System.currentTimeMillis();
                long engineLag = engineLagP99(cluster);
                OrderGenerator.Totals totals = run.join();
                long drainStart = System.nanoTime();
                awaitDrained(cluster, totals.acknowledged(), Duration.ofSeconds(120));
                double drain = (System.nanoTime() - drainStart) / 1e9;
                long[] lag = rowLag(db, windowStart, windowEnd);
                FullReconciliation.Result check = new FullReconciliation(source, target)
                        .run(SellerScope.all(new BucketRange(0, SellerGroup.BUCKETS)), 0, Long.MAX_VALUE);
                double window = (windowEnd - windowStart) / 1000.0;
                return new Result(s.rate(), totals.rate(), (after[0] - before[0]) / window, after[0] - before[0],
                        after[1] - before[1], after[4] - before[4], after[2] - before[2], after[3] - before[3],
                        engineLag, lag[0], lag[1],
                        lag[2], lag[3], drain, check.differences().size(), totals.failed());
            }
        }
    }

    /**
     * Topics, seller groups, their assignments, the target (with {@code targetOptions}: more JSON fields, each
     * followed by a comma, e.g. {@code "\"reconcileSeconds\":2,"}) and a PUBLISHER token; returns the token.
     */
    static String seed(TopazCluster cluster, BenchDatabases db, String targetOptions) throws Exception {
        cluster.createApp("bench-jdp");
        for (String topic : List.of(TradeCenter.CREATE, TradeCenter.CHANGED, TradeCenter.CLOSE)) {
            cluster.seed("/api/v1/topics", topic, "{\"name\":\"" + topic + "\",\"group\":\"taobao_trade\","
                    + "\"producerApps\":[\"bench-jdp\"],\"dataIdField\":\"tid\"}");
        }
        // the sync copies the sellers who permitted the target's app; a permit needs the app's subscription
        cluster.seed("/api/v1/subscriptions", "bench-jdp", "{\"appKey\":\"bench-jdp\",\"topics\":"
                + JSON.writeValueAsString(List.of(TradeCenter.CREATE, TradeCenter.CHANGED, TradeCenter.CLOSE)) + "}");
        int width = SellerGroup.BUCKETS / GROUPS.size();
        for (int i = 0; i < GROUPS.size(); i++) {
            cluster.seed("/api/v1/seller-groups", GROUPS.get(i), "{\"name\":\"" + GROUPS.get(i)
                    + "\",\"bucketFrom\":" + i * width + ",\"bucketTo\":" + (i + 1) * width + "}");
            cluster.seed("/api/v1/assignments", GROUPS.get(i), "{\"sellerGroup\":\"" + GROUPS.get(i)
                    + "\",\"cluster\":\"bench\"}");
        }
        cluster.seed("/api/v1/sync-targets", "bench-jdp", "{\"name\":\"bench-jdp\",\"appKey\":\"bench-jdp\","
                + "\"jdbcUrl\":\"" + db.targetUrl + "\",\"user\":\"" + db.targetUser + "\",\"sellerGroups\":"
                + JSON.writeValueAsString(GROUPS) + "," + targetOptions
                + "\"maxConnections\":8,\"backfillDays\":0}");
        cluster.publishAndAwait();
        return cluster.admin("POST", "/api/v1/tokens", "{\"name\":\"bench-orders\",\"role\":\"PUBLISHER\"}", 201)
                .get("token").asString();
    }

    /**
     * Registers the sellers, each permitting the target's app (bench-jdp), and waits until the syncing groups have
     * them all: the sync copies the sellers who permitted the app only.
     */
    static void registerSellers(TopazCluster cluster, List<TradeCenter.Seller> sellers) throws Exception {
        for (TradeCenter.Seller s : sellers) {
            cluster.permitAll(Long.toString(s.id()), s.nick(), List.of("bench-jdp"));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            long synced = groups(cluster).stream().filter(g -> !g.path("holder").isNull())
                    .mapToLong(g -> g.path("sellers").asLong(0)).sum();
            if (synced == sellers.size()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the sync groups did not take the " + sellers.size()
                        + " permitted sellers in 60 s: " + groups(cluster));
            }
            Thread.sleep(250);
        }
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
        out.printf("live sync at %,d changes/s (PostgreSQL source, MariaDB target, merge window 100 ms):%n", r.rate());
        out.printf("  generated %,.0f changes/s (written and published); the sync consumed %,.0f messages/s%n",
                r.generatedRate(), r.consumedRate());
        out.printf("  lag p99 %d ms (engine, last minute); per order row p50 %d ms, p99 %d ms, max %d ms over %,d "
                + "rows; drained %.1f s after the generator stopped%n", r.engineLagP99(), r.rowLagP50(),
                r.rowLagP99(), r.rowLagMax(), r.rows(), r.drainSeconds());
        double reads = r.messages() == 0 ? 0 : 100.0 * (1 - (double) r.sourceReads() / r.messages());
        double writes = r.messages() == 0 ? 0 : 100.0 * (1 - (double) r.writes() / r.messages());
        out.printf("  %,d messages → %,d source rows read (%.1f %% fewer than the naive one read per message), "
                + "%,d target writes (%.1f %% fewer), %,d writes skipped by the modified/hashcode comparison%n",
                r.messages(), r.sourceReads(), reads, r.writes(), writes, r.skipped());
        out.printf("  %,d orders confirmed without a source read (their messages announced nothing newer than the "
                + "group had written)%n", r.readsSaved());
        out.printf("  target equals source after the run: %s; publish failures: %d%n",
                r.differencesAfter() == 0 ? "yes" : "NO, " + r.differencesAfter() + " differences",
                r.publishFailures());
        out.printf("  targets: lag p99 <= 1 s at >= 5,000/s: %s; >= 90 %% fewer reads: %s%n",
                r.rowLagP99() <= 1000 && r.engineLagP99() <= 1000 && r.consumedRate() >= 5000 ? "met" : "NOT met",
                reads >= 90 ? "met" : "NOT met");
    }
}

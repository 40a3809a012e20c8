package io.topaz.bench.sync;

import io.topaz.agent.sync.BucketRange;
import io.topaz.agent.sync.FullReconciliation;
import io.topaz.agent.sync.SellerScope;
import io.topaz.agent.sync.db.JdbcSourceOrders;
import io.topaz.agent.sync.db.JdbcTargetOrders;
import io.topaz.agent.sync.db.LoweringTrigger;
import io.topaz.bench.messaging.TopazCluster;
import io.topaz.model.config.SellerGroup;
import io.topaz.model.zk.ZkLayout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;

/**
 * The seller-group isolation harness (issue 20), shared by {@link IsolationTest} and {@link IsolationSoakTest}: a
 * control plane and agents as processes ({@link TopazCluster}, each agent in its zone, all in the agent cluster
 * {@code bench} with a connection budget), a PostgreSQL source and a MariaDB target ({@link BenchDatabases}; the
 * target reached as a database user of its own, so MariaDB's process list tells the sync's connections apart),
 * {@link LoweringTrigger} and {@link FenceLog} on the target, a {@link LeaseWatcher} on ZooKeeper and a
 * {@link ConnectionSampler} on MariaDB from the start, three range seller groups and optionally a pin group, and
 * order traffic from {@link OrderGenerator}.
 */
final class IsolationRig implements AutoCloseable {

    static final String TARGET = "iso-jdp";
    static final String PIN = "iso-pin";
    static final String PERMIT_TOPIC = "iso_jdp_Permit";
    static final List<String> RANGES = List.of("iso-r0", "iso-r1", "iso-r2");
    static final List<String> AGENT_JVM = List.of("-Xms64m", "-Xmx320m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final BenchDatabases db;
    final String syncUser;
    final JdbcSourceOrders source;
    final JdbcTargetOrders target;
    final TopazCluster cluster;
    final LeaseWatcher watcher;
    final ConnectionSampler sampler;
    final int budget;
    private final List<String> groups = new ArrayList<>(RANGES);
    private String publisherToken;

    /** Order traffic running: stop it to get its totals. */
    record Traffic(OrderGenerator generator, CompletableFuture<OrderGenerator.Totals> run) {
        OrderGenerator.Totals stop() {
            generator.stop();
            return run.join();
        }
    }

    private IsolationRig(BenchDatabases db, String syncUser, JdbcSourceOrders source, JdbcTargetOrders target,
                         TopazCluster cluster, LeaseWatcher watcher, ConnectionSampler sampler, int budget) {
        this.db = db;
        this.syncUser = syncUser;
        this.source = source;
        this.target = target;
        this.cluster = cluster;
        this.watcher = watcher;
        this.sampler = sampler;
        this.budget = budget;
    }

    /** Databases, fixtures, processes (one agent per entry of {@code zones}), the watcher and the sampler. */
    static IsolationRig start(Path repo, Path dir, List<String> zones, int budget, String purpose) throws Exception {
        BenchDatabases db = new BenchDatabases(purpose);
        TopazCluster cluster = null;
        LeaseWatcher watcher = null;
        String user = "iso_" + db.name.substring(db.name.length() - 8);
        try {
            JdbcSourceOrders source = db.source(2);
            JdbcTargetOrders target = db.target(2); // the target's tables first, so the triggers see every write
            LoweringTrigger.install(db.targetPool());
            FenceLog.install(db.targetPool());
            rootSql("CREATE USER '" + user + "'@'%'", "GRANT ALL PRIVILEGES ON " + db.name + ".* TO '" + user + "'@'%'");
            cluster = TopazCluster.start(repo, dir, zones, AGENT_JVM, List.of("--orders-db-url=" + db.sourceUrl,
                    "--broker-redelivery-timeout=3s", "--zk-session-timeout=5s"));
            watcher = LeaseWatcher.start(cluster.zkConnect(), ZkLayout.defaults());
            ConnectionSampler sampler = new ConnectionSampler(BenchDatabases.MARIADB_SERVER + "/"
                    + BenchDatabases.MARIADB_PARAMS, user, budget, 100);
            return new IsolationRig(db, user, source, target, cluster, watcher, sampler, budget);
        } catch (Exception | Error e) {
            if (watcher != null) {
                watcher.close();
            }
            if (cluster != null) {
                cluster.close();
            }
            dropUser(user);
            db.close();
            throw e;
        }
    }

    /**
     * The config, published: the cluster's budget, the sync target's app and topics, the range groups (and a pin
     * group of {@code pinned} when not empty) assigned to {@code bench}, the target on MariaDB (reconciliation every
     * 2 s) and a PUBLISHER token.
     */
    void seed(List<Long> pinned) throws Exception {
        JsonNode c = cluster.admin("GET", "/api/v1/agent-clusters/bench", null, 200);
        ObjectNode value = (ObjectNode) c.get("value");
        value.put("syncConnections", budget);
        cluster.admin("PUT", "/api/v1/agent-clusters/bench?version=" + c.get("version").asLong(),
                JSON.writeValueAsString(value), 200);
        cluster.createApp(TARGET);
        for (String topic : List.of(TradeCenter.CREATE, TradeCenter.CHANGED, TradeCenter.CLOSE)) {
            cluster.seed("/api/v1/topics", topic, "{\"name\":\"" + topic + "\",\"group\":\"taobao_trade\","
                    + "\"producerApps\":[\"" + TARGET + "\"],\"dataIdField\":\"tid\"}");
        }
        // a seller permits an app for the topics it subscribes to: the target's app subscribes to a topic of its own
        // (not the trade topics, whose messages would pile up in a queue nobody consumes)
        cluster.seed("/api/v1/topics", PERMIT_TOPIC, "{\"name\":\"" + PERMIT_TOPIC + "\",\"group\":\"iso_jdp\","
                + "\"producerApps\":[\"" + TARGET + "\"]}");
        cluster.seed("/api/v1/subscriptions", TARGET, "{\"appKey\":\"" + TARGET + "\",\"topics\":[\""
                + PERMIT_TOPIC + "\"]}");
        int width = SellerGroup.BUCKETS / RANGES.size();
        for (int i = 0; i < RANGES.size(); i++) {
            int to = i == RANGES.size() - 1 ? SellerGroup.BUCKETS : (i + 1) * width;
            cluster.seed("/api/v1/seller-groups", RANGES.get(i), "{\"name\":\"" + RANGES.get(i)
                    + "\",\"bucketFrom\":" + i * width + ",\"bucketTo\":" + to + "}");
            assign(RANGES.get(i));
        }
        if (!pinned.isEmpty()) {
            addPin(pinned);
        }
        cluster.seed("/api/v1/sync-targets", TARGET, "{\"name\":\"" + TARGET + "\",\"appKey\":\"" + TARGET
                + "\",\"jdbcUrl\":\"" + db.targetUrl + "\",\"user\":\"" + syncUser + "\",\"sellerGroups\":"
                + JSON.writeValueAsString(groups) + ",\"reconcileSeconds\":2,\"maxConnections\":8,"
                + "\"backfillDays\":0}");
        cluster.publishAndAwait();
        publisherToken = cluster.admin("POST", "/api/v1/tokens", "{\"name\":\"iso-orders\",\"role\":\"PUBLISHER\"}",
                201).get("token").asString();
    }

    /** Pins {@code sellers} into {@link #PIN}, assigned to {@code bench} (in the draft: see {@link #isolate}). */
    private void addPin(List<Long> sellers) throws Exception {
        cluster.seed("/api/v1/seller-groups", PIN, "{\"name\":\"" + PIN + "\",\"sellers\":"
                + JSON.writeValueAsString(sellers) + "}");
        assign(PIN);
        groups.add(PIN);
    }

    private void assign(String group) throws Exception {
        cluster.seed("/api/v1/assignments", group, "{\"sellerGroup\":\"" + group + "\",\"cluster\":\"bench\"}");
    }

    /**
     * Isolates a hot seller as an SRE does through the REST API: a pin group of its own, its assignment, the target
     * syncing it, a publish; returns when an agent holds the pin group's lease.
     */
    void isolate(long seller, Duration bound) throws Exception {
        addPin(List.of(seller));
        JsonNode t = cluster.admin("GET", "/api/v1/sync-targets/" + TARGET, null, 200);
        ObjectNode value = (ObjectNode) t.get("value");
        value.set("sellerGroups", JSON.valueToTree(groups));
        cluster.admin("PUT", "/api/v1/sync-targets/" + TARGET + "?version=" + t.get("version").asLong(),
                JSON.writeValueAsString(value), 200);
        cluster.publishAndAwait();
        awaitHeld(bound, h -> h.get(PIN) != null && live().contains(h.get(PIN)));
    }

    List<String> groups() {
        return List.copyOf(groups);
    }

    /** Registers the sellers and has each permit the target's app (the sync copies only permitting sellers). */
    void permit(List<TradeCenter.Seller> sellers) throws Exception {
        for (TradeCenter.Seller s : sellers) {
            cluster.permitAll(Long.toString(s.id()), s.nick(), List.of(TARGET));
        }
    }

    /**
     * Order traffic over {@code sellers} (Zipf {@code skew}), published through {@code via}'s broker, for
     * {@code seconds} or until stopped; new orders from {@code tidsFrom} on (0: after the table's highest).
     */
    Traffic traffic(List<TradeCenter.Seller> sellers, int rate, double skew, TopazCluster.Agent via, long tidsFrom,
                    int seconds, long seed) throws Exception {
        OrderGenerator.Settings g = new OrderGenerator.Settings(rate, seconds, sellers.size(), 0, skew, 3,
                db.sourceUrl, via.broker(), publisherToken, null, null, sellers.get(0).id(), sellers.get(0).nick(),
                seed);
        OrderGenerator generator = new OrderGenerator(g, db.sourcePool(), source,
                new BrokerPublisher(g.broker(), publisherToken, 512), System::currentTimeMillis).tidsFrom(tidsFrom);
        return new Traffic(generator, CompletableFuture.supplyAsync(() -> {
            try {
                return generator.run(sellers, false);
            } catch (Exception e) {
                throw new IllegalStateException("the generator failed: " + e.getMessage(), e);
            }
        }));
    }

    /** The ids of the agents running now. */
    Set<String> live() {
        Set<String> out = new HashSet<>();
        cluster.agents().stream().filter(TopazCluster.Agent::alive).forEach(a -> out.add(a.id()));
        return out;
    }

    TopazCluster.Agent agent(String id) {
        return cluster.agents().stream().filter(a -> a.id().equals(id)).findFirst().orElseThrow();
    }

    /** Group → the agent holding its leases now (groups nobody holds are missing). */
    Map<String, String> held() {
        Map<String, String> out = new HashMap<>();
        for (String g : groups) {
            String h = watcher.holder(g);
            if (h != null) {
                out.put(g, h);
            }
        }
        return out;
    }

    /** The groups {@code agentId} holds now. */
    List<String> heldBy(String agentId) {
        return held().entrySet().stream().filter(e -> e.getValue().equals(agentId)).map(Map.Entry::getKey).toList();
    }

    /** Waits until every group is held by a live agent. */
    void awaitPlaced(Duration bound) {
        awaitHeld(bound, h -> groups.stream().allMatch(g -> h.get(g) != null && live().contains(h.get(g))));
    }

    private void awaitHeld(Duration bound, Predicate<Map<String, String>> done) {
        await("leases " + groups + " (held: " + held() + ", live: " + live() + ")").atMost(bound)
                .pollInterval(Duration.ofMillis(50)).until(() -> done.test(held()));
    }

    /** The live agent holding the most groups, {@code excluded} left out unless nobody else holds one. */
    TopazCluster.Agent busiest(Set<String> excluded) {
        Map<String, Long> count = new HashMap<>();
        held().forEach((g, a) -> count.merge(a, 1L, Long::sum));
        return cluster.agents().stream().filter(TopazCluster.Agent::alive)
                .filter(a -> count.getOrDefault(a.id(), 0L) > 0)
                .sorted(Comparator.comparing((TopazCluster.Agent a) -> excluded.contains(a.id()))
                        .thenComparing(a -> -count.getOrDefault(a.id(), 0L)))
                .findFirst().orElseThrow(() -> new IllegalStateException("no agent holds a group: " + held()));
    }

    /**
     * SIGKILLs {@code victims} together and waits until every group they held is held by a live agent; returns the
     * milliseconds from the kill to then (the reassignment time).
     */
    long killAndAwait(List<TopazCluster.Agent> victims, Duration bound) throws Exception {
        Set<String> ids = new HashSet<>();
        victims.forEach(v -> ids.add(v.id()));
        List<String> theirs = held().entrySet().stream().filter(e -> ids.contains(e.getValue()))
                .map(Map.Entry::getKey).toList();
        long start = System.nanoTime();
        cluster.kill(victims);
        awaitHeld(bound, h -> theirs.stream().allMatch(g -> h.get(g) != null && live().contains(h.get(g))));
        return (System.nanoTime() - start) / 1_000_000;
    }

    /**
     * Waits until the control plane lists {@code agentId} among the live syncing agents of its cluster
     * ({@code GET /api/v1/placement}): a restarted agent's process is up before it has registered to sync, and only
     * then can a group be moved to it.
     */
    void awaitSyncing(String agentId, Duration bound) {
        await("agent " + agentId + " syncing again").atMost(bound).pollInterval(Duration.ofMillis(200))
                .ignoreExceptions().until(() -> {
                    for (JsonNode c : cluster.admin("GET", "/api/v1/placement", null, 200).path("clusters")) {
                        for (JsonNode a : c.path("agents")) {
                            if (agentId.equals(a.path("id").asString())) {
                                return true;
                            }
                        }
                    }
                    return false;
                });
    }

    /**
     * Moves {@code group} to {@code agentId} through {@code POST /api/v1/placement/{group}/move} and waits until that
     * agent holds it; returns the milliseconds from the request to then.
     */
    long move(String group, String agentId, Duration bound) throws Exception {
        long start = System.nanoTime();
        JsonNode answer = cluster.admin("POST", "/api/v1/placement/" + group + "/move",
                "{\"agent\":\"" + agentId + "\"}", -1);
        await("the move of " + group + " to " + agentId + " (the control plane answered " + answer + "; held: "
                + held() + ")").atMost(bound).pollInterval(Duration.ofMillis(50))
                .until(() -> agentId.equals(watcher.holder(group)));
        return (System.nanoTime() - start) / 1_000_000;
    }

    /**
     * Waits until every group has finished {@code cycles} reconciliations that started after now (each holder's
     * {@code GET /sync} {@code lastReconcile} taking that many new values).
     */
    void awaitReconciliations(int cycles, Duration bound) {
        Map<String, Set<String>> seen = new HashMap<>();
        Map<String, String> first = new HashMap<>();
        await("two reconciliations of each group (seen: " + seen + ")").atMost(bound)
                .pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
                    for (JsonNode g : syncGroups()) {
                        String group = g.path("group").asString();
                        String at = g.path("lastReconcile").isNull() ? "" : g.path("lastReconcile").asString();
                        if (first.putIfAbsent(group, at) != null && !at.equals(first.get(group))) {
                            seen.computeIfAbsent(group, k -> new HashSet<>()).add(at);
                        }
                    }
                    return groups.stream().allMatch(g -> seen.getOrDefault(g, Set.of()).size() >= cycles);
                });
    }

    /** The running groups of the live agents' {@code GET /sync}. */
    List<JsonNode> syncGroups() throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (TopazCluster.Agent a : cluster.agents()) {
            if (!a.alive()) {
                continue;
            }
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(a.admin().resolve("/sync"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                JSON.readTree(r.body()).path("groups").forEach(g -> {
                    if (!g.path("holder").isNull()) {
                        out.add(g);
                    }
                });
            }
        }
        return out;
    }

    /** The target against the source, every bucket. */
    FullReconciliation.Result compare() throws Exception {
        return new FullReconciliation(source, target).run(SellerScope.all(new BucketRange(0, SellerGroup.BUCKETS)), 0, Long.MAX_VALUE);
    }

    /** Orders not deleted, on the target or the source ({@link ProcessFixture#liveOrders}). */
    long liveOrders(boolean onTarget) throws SQLException {
        return ProcessFixture.liveOrders(db, onTarget);
    }

    private static void rootSql(String... sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(BenchDatabases.MARIADB_SERVER + "/"
                + BenchDatabases.MARIADB_PARAMS); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    private static void dropUser(String user) {
        try {
            rootSql("DROP USER IF EXISTS '" + user + "'@'%'");
        } catch (SQLException e) {
            System.err.println("isolation: could not drop the database user " + user + " (" + e.getMessage() + ")");
        }
    }

    @Override
    public void close() throws Exception {
        try {
            sampler.close();
            watcher.close();
            cluster.close();
        } finally {
            dropUser(syncUser);
            db.close();
        }
    }
}

package io.topaz.agent.sync.engine;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.topaz.agent.sync.BucketRange;
import io.topaz.agent.sync.OrderKey;
import io.topaz.agent.sync.OrderRow;
import io.topaz.agent.sync.SellerScope;
import io.topaz.agent.sync.db.Dialect;
import io.topaz.agent.sync.db.JdbcSourceOrders;
import io.topaz.agent.sync.db.JdbcTargetOrders;
import io.topaz.agent.sync.db.LoweringTrigger;
import io.topaz.agent.sync.db.SyncTestDatabases;
import io.topaz.agent.sync.db.TestOrders;
import io.topaz.agent.broker.QueueName;
import io.topaz.model.config.SyncTarget;
import io.topaz.model.json.Json;
import io.topaz.model.placement.GroupPlacement;
import io.topaz.model.placement.SyncAgentLoad;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 20: two syncing agents (engines with their own ZooKeeper sessions) in one JVM, a PostgreSQL source and a
 * MariaDB target reached as a user of this test alone. The groups run where the placement nodes say; moving g1's
 * placement while an update stream runs hands it over: a watcher sees never two agents running a group, the fencing
 * table's history shows agent-1's epoch then agent-2's and no write of agent-1 after it, the connections the target
 * sees for the test's user never exceed the cluster's budget, and once the stream is drained the target equals the
 * source without any repair (no change was skipped), which a full reconciliation confirms. The new holder's load
 * node holds the group's load and its hot sellers. Agent-2 then stops while still placed: agent-1 takes the group back
 * by the rendezvous fallback (the placed agent is not live), at the next epoch.
 */
class PlacementHandoverTest {

    private static final SellerScope ALL = SellerScope.all(new BucketRange(0, 1024));
    /** Every seller of the test orders permitted the target's app: all of them are synced. */
    private static final TestPermits PERMITS = new TestPermits("12345678", Clock.systemUTC(),
            TestPermits.TEST_ORDER_SELLERS);
    private static final int ORDERS = 5_000;
    private static final int BUDGET = 4;

    @TempDir
    Path dir;

    @Test
    void aMovedPlacementHandsTheGroupOverWithinTheBudgetAndSkipsNoChange() throws Exception {
        Clock clock = Clock.systemUTC();
        String user = "tz_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        ZkLayout layout = new ZkLayout("/placement");
        try (SyncTestDatabases.Db sourceDb = SyncTestDatabases.create(Dialect.POSTGRESQL);
             SyncTestDatabases.Db targetDb = SyncTestDatabases.create(Dialect.MARIADB);
             TestingServer zk = new TestingServer(true);
             CuratorFramework c1 = curator(zk);
             CuratorFramework c2 = curator(zk);
             CuratorFramework admin = curator(zk);
             LocalBroker broker = new LocalBroker(dir, clock, Duration.ofSeconds(10), 16)) {
            String db = targetDb.url().substring(targetDb.url().lastIndexOf('/') + 1);
            mariadb("CREATE USER '" + user + "'@'%' IDENTIFIED BY 'pw-" + user + "'",
                    "CREATE USER '" + user + "'@'localhost' IDENTIFIED BY 'pw-" + user + "'",
                    "GRANT ALL ON " + db + ".* TO '" + user + "'@'%'",
                    "GRANT ALL ON " + db + ".* TO '" + user + "'@'localhost'");
            ScheduledExecutorService watch = Executors.newScheduledThreadPool(2);
            SyncEngine one = null;
            SyncEngine two = null;
            try {
                JdbcSourceOrders source = new JdbcSourceOrders(sourceDb.pool(), Dialect.POSTGRESQL);
                source.ensureSchema();
                source.save(TestOrders.rows(1, ORDERS + 1));
                JdbcTargetOrders check = new JdbcTargetOrders(targetDb.pool(), Dialect.MARIADB, clock);
                check.ensureSchema();
                LoweringTrigger.install(targetDb.pool());
                fenceLog(targetDb);

                SyncTarget target = new SyncTarget("demo", "12345678", targetDb.url(), user, List.of("g1", "g2"), 8,
                        100, 3_600, 90, noPurge(clock), null);
                SyncConfig config = new SyncConfig(List.of(target), Map.of("g1", new BucketRange(0, 512),
                        "g2", new BucketRange(512, 1024)), Map.of("g1", "c1", "g2", "c1"), Map.of(), Map.of("c1", BUDGET));
                assertThat(config.share(target, "c1")).isEqualTo(2);
                GroupPlacement g1 = new GroupPlacement("g1", "c1", "agent-1", clock.millis(), null,
                        GroupPlacement.INITIAL, 1);
                place(admin, layout, g1);
                place(admin, layout, new GroupPlacement("g2", "c1", "agent-1", clock.millis(), null,
                        GroupPlacement.INITIAL, 1));

                SimpleMeterRegistry registry2 = new SimpleMeterRegistry();
                one = engine("agent-1", c1, layout, broker, config, sourceDb, clock, new SimpleMeterRegistry(), user);
                SyncEngine e1 = one;
                await().atMost(Duration.ofSeconds(60)).until(() -> e1.groups().size() == 2
                        && groups(e1).stream().allMatch(g -> "done".equals(((Map<?, ?>) g.get("backfill"))
                        .get("state"))));
                two = engine("agent-2", c2, layout, broker, config, sourceDb, clock, registry2, user);
                SyncEngine e2 = two;
                await().atMost(Duration.ofSeconds(10)).until(() -> e2.load().atMillis() > 0
                        && c1.checkExists().forPath(layout.syncAgent("c1", "agent-2")) != null);

                // the watchers: holders per group, connections of the test's user, sampled every 5 ms
                ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
                AtomicInteger maxConnections = new AtomicInteger();
                AtomicInteger samples = new AtomicInteger();
                Connection rootConnection = DriverManager.getConnection(SyncTestDatabases.MARIADB_ADMIN_URL,
                        SyncTestDatabases.MARIADB_USER, "");
                PreparedStatement count = rootConnection.prepareStatement(
                        "SELECT COUNT(*) FROM information_schema.processlist WHERE user = ?");
                count.setString(1, user);
                watch.scheduleAtFixedRate(() -> {
                    for (String g : List.of("demo/g1", "demo/g2")) {
                        int holders = (running(e1, g) ? 1 : 0) + (running(e2, g) ? 1 : 0);
                        if (holders > 1) {
                            violations.add(g + " runs on both agents");
                        }
                    }
                }, 0, 5, TimeUnit.MILLISECONDS);
                watch.scheduleAtFixedRate(() -> {
                    try (ResultSet rs = count.executeQuery()) {
                        rs.next();
                        maxConnections.accumulateAndGet(rs.getInt(1), Math::max);
                        samples.incrementAndGet();
                    } catch (Exception e) {
                        violations.add("counting connections failed: " + e);
                    }
                }, 0, 5, TimeUnit.MILLISECONDS);

                assertThat(e2.groups()).isEmpty(); // placed on agent-1: agent-2 leaves them alone
                await().atMost(Duration.ofSeconds(10)).until(() -> maxConnections.get() == BUDGET);

                CompletableFuture<Long> stream = CompletableFuture.supplyAsync(() -> {
                    try {
                        return stream(source, broker, config, 40_000, new Random(20));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                await().atMost(Duration.ofSeconds(30)).until(() -> messages(e1, "demo/g1") > 2_000);
                place(admin, layout, g1.moveTo("c1", "agent-2", clock.millis(), GroupPlacement.OPERATOR));
                await().atMost(Duration.ofSeconds(30)).until(() -> running(e2, "demo/g1") && !running(e1, "demo/g1"));
                assertThat(e2.groups().get("demo/g1").fence().epoch()).isEqualTo(2);
                assertThat(stream.isDone()).as("the move happened while the stream ran").isFalse();
                stream.join();

                // drained: every message confirmed, so written
                await().atMost(Duration.ofSeconds(90)).until(() -> broker.backlog(SyncQueues.queue("demo", "g1")) == 0
                        && broker.backlog(SyncQueues.queue("demo", "g2")) == 0
                        && e2.groups().get("demo/g1").waitingMessages() == 0
                        && group(e2, "g1").get("lastReconcile") != null); // the seam's reconciliation ran
                List<OrderKey> expected = source.keys(ALL, 0, Long.MAX_VALUE, 0, Long.MAX_VALUE);
                ZeroLossSyncTest.assertSameKeys(check.keys(ALL, 0, Long.MAX_VALUE, 0, Long.MAX_VALUE), expected);
                Map<String, Object> g1Status = group(e2, "g1");
                assertThat(((Map<?, ?>) g1Status.get("repairs")).get("missed_message")).isEqualTo(0L);
                assertThat(((Map<?, ?>) g1Status.get("repairs")).get("lost_write")).isEqualTo(0L);
                assertThat(((Map<?, ?>) g1Status.get("backfill")).get("state")).isEqualTo("done"); // not copied again
                assertThat(g1Status.get("connections")).isEqualTo(2);
                assertThat(g1Status.get("placedBy")).isEqualTo("placement");

                // a reconciliation of the whole group on its new holder finds nothing to repair
                Map<String, Object> full = e2.status().reconcile(Map.of("target", "demo", "group", "g1")).join();
                assertThat(full.toString()).contains("differences=0");
                assertThat(LoweringTrigger.lowered(targetDb.pool())).isEmpty();

                // the fencing table's history: agent-1 at epoch 1, then agent-2 at epoch 2, never agent-1 again
                List<String> history = fenceHistory(targetDb, "g1");
                assertThat(history).isNotEmpty();
                assertThat(history.get(0)).isEqualTo("1:agent-1");
                assertThat(history.get(history.size() - 1)).isEqualTo("2:agent-2");
                assertThat(history.subList(history.indexOf("2:agent-2"), history.size())).containsOnly("2:agent-2");

                // the new holder's load node: g1's load and its hot sellers
                await().atMost(Duration.ofSeconds(10)).until(() -> loadOf(admin, layout, "agent-2").groups()
                        .containsKey("g1"));
                SyncAgentLoad.GroupLoad load = loadOf(admin, layout, "agent-2").groups().get("g1");
                assertThat(load.changesPerSecond()).isPositive();
                assertThat(load.connections()).isEqualTo(2);
                assertThat(load.hotSellers()).hasSize(10);
                assertThat(load.hotSellers().get(0).sellerId()).isBetween(1_000L, 1_096L);
                assertThat(load.hotSellers().get(0).changesPerSecond())
                        .isGreaterThanOrEqualTo(load.hotSellers().get(9).changesPerSecond());
                assertThat(loadOf(admin, layout, "agent-1").groups()).containsOnlyKeys("g2");
                assertThat(registry2.find("topaz.sync.group.changes.rate").tag("group", "g1").gauge()).isNotNull();
                assertThat(registry2.find("topaz.sync.group.hot.seller.changes.rate").tag("group", "g1").gauges())
                        .hasSize(10);
                assertThat(e2.status().status().get("load")).isInstanceOf(SyncAgentLoad.class);

                // agent-2 stops while still placed: with the placed agent gone, agent-1 takes g1 by the fallback
                two.close();
                two = null;
                c2.close();
                await().atMost(Duration.ofSeconds(30)).until(() -> running(e1, "demo/g1"));
                assertThat(e1.groups().get("demo/g1").fence().epoch()).isEqualTo(3);
                assertThat(group(e1, "g1").get("placedBy")).isEqualTo("rendezvous");

                watch.shutdown();
                assertThat(watch.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
                rootConnection.close();
                assertThat(violations).isEmpty();
                assertThat(samples.get()).isGreaterThan(100);
                assertThat(maxConnections.get()).isLessThanOrEqualTo(BUDGET);
            } finally {
                watch.shutdownNow();
                if (two != null) {
                    two.close();
                }
                if (one != null) {
                    one.close();
                }
                mariadb("DROP USER IF EXISTS '" + user + "'@'%'", "DROP USER IF EXISTS '" + user + "'@'localhost'");
            }
        }
    }

    /** Whether the engine holds the group: from its lease's acquisition until just before its release. */
    private static boolean running(SyncEngine e, String key) {
        return e.groups().containsKey(key);
    }

    private static long messages(SyncEngine e, String key) {
        GroupMetrics m = e.metrics(key);
        return m == null ? 0 : m.snapshot().messages();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> groups(SyncEngine engine) {
        return (List<Map<String, Object>>) engine.status().status().get("groups");
    }

    private static Map<String, Object> group(SyncEngine engine, String group) {
        return groups(engine).stream().filter(g -> group.equals(g.get("group"))).findFirst().orElseThrow();
    }

    static void place(CuratorFramework admin, ZkLayout layout, GroupPlacement p) throws Exception {
        String path = layout.syncPlacement(p.group());
        if (admin.checkExists().forPath(path) == null) {
            admin.create().creatingParentsIfNeeded().forPath(path, Json.write(p));
        } else {
            admin.setData().forPath(path, Json.write(p));
        }
    }

    private static SyncAgentLoad loadOf(CuratorFramework admin, ZkLayout layout, String agent) throws Exception {
        return SyncMembers.decode(admin.getData().forPath(layout.syncAgent("c1", agent))).orElseThrow();
    }

    private static SyncEngine engine(String id, CuratorFramework curator, ZkLayout layout, LocalBroker broker,
                                     SyncConfig config, SyncTestDatabases.Db sourceDb, Clock clock,
                                     SimpleMeterRegistry registry, String user) {
        // settle 15 s: the new holder's first reconciliation (the seam's) compares the changes made before the
        // takeover once the stream has long published their messages (it saves, then publishes, on a busy machine:
        // a change read before its message was published would count as missed), so a repair means a skipped change
        GroupSync.Settings settings = new GroupSync.Settings(1_000, 500, 20_000, 100_000, Duration.ofSeconds(5),
                Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(15), Duration.ofSeconds(10),
                ZoneOffset.UTC);
        SyncEngine e = new SyncEngine(new SyncEngine.Context(id, "z1", "c1", curator, layout, broker, () -> config,
                name -> CompletableFuture.completedFuture("pw-" + user), new JdbcStores(clock),
                sourceDb.url() + "?user=" + sourceDb.user(), clock, registry, PERMITS), settings, 4);
        e.reportEvery(Duration.ofMillis(300));
        e.start(Duration.ofMillis(100));
        return e;
    }

    /** Every change of the fencing row, in commit order, recorded by a trigger (the writers' user cannot skip it). */
    private static void fenceLog(SyncTestDatabases.Db db) throws Exception {
        try (Connection c = db.pool().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE fence_log (id BIGINT AUTO_INCREMENT PRIMARY KEY, sync_group VARCHAR(128), "
                    + "epoch BIGINT, holder VARCHAR(256))");
            for (String event : List.of("INSERT", "UPDATE")) {
                s.execute("CREATE TRIGGER fence_log_" + event.toLowerCase() + " AFTER " + event
                        + " ON jdp_sync_fence FOR EACH ROW INSERT INTO fence_log (sync_group, epoch, holder) "
                        + "VALUES (NEW.sync_group, NEW.epoch, NEW.holder)");
            }
        }
    }

    /** The fencing row's history of a group, "epoch:holder" in commit order, consecutive repeats folded. */
    private static List<String> fenceHistory(SyncTestDatabases.Db db, String group) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = db.pool().getConnection();
             PreparedStatement s = c.prepareStatement("SELECT epoch, holder FROM fence_log WHERE sync_group = ? "
                     + "ORDER BY id")) {
            s.setString(1, group);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    String e = rs.getLong(1) + ":" + rs.getString(2);
                    if (out.isEmpty() || !out.get(out.size() - 1).equals(e)) {
                        out.add(e);
                    }
                }
            }
        }
        return out;
    }

    private static void mariadb(String... sql) throws Exception {
        try (Connection c = DriverManager.getConnection(SyncTestDatabases.MARIADB_ADMIN_URL,
                SyncTestDatabases.MARIADB_USER, ""); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    /**
     * A clean update stream (nothing dropped, so a repair would mean a skipped change): each change saved at the
     * source, then its message published, each batch's messages shuffled. Returns when the last change was saved.
     */
    static long stream(JdbcSourceOrders source, LocalBroker broker, SyncConfig config, int updates, Random random)
            throws Exception {
        long last = 0;
        long[] version = new long[ORDERS + 1];
        for (int done = 0; done < updates; ) {
            List<OrderRow> batch = new ArrayList<>();
            long now = System.currentTimeMillis();
            Set<Long> inBatch = new HashSet<>();
            for (int i = 0; i < 100 && done < updates; i++, done++) {
                long tid = 1 + random.nextInt(ORDERS);
                if (inBatch.add(tid)) {
                    version[(int) tid] = Math.max(now, Math.max(version[(int) tid], TestOrders.T0 + tid) + 1);
                    batch.add(TestOrders.row(tid, version[(int) tid], "S" + random.nextInt(5)));
                }
            }
            source.save(batch);
            last = System.currentTimeMillis();
            Collections.shuffle(batch, random);
            List<CompletableFuture<Void>> published = new ArrayList<>();
            for (OrderRow r : batch) {
                for (QueueName q : SyncQueues.route(config, "taobao_trade_TradeChanged", PERMITS.user(r.sellerId()))) {
                    published.add(broker.trade(q, r.tid(), r.sellerId(), r.modified().toEpochMilli()));
                }
            }
            CompletableFuture.allOf(published.toArray(CompletableFuture[]::new)).join();
        }
        return last;
    }

    private static CuratorFramework curator(TestingServer zk) {
        CuratorFramework c = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100));
        c.start();
        return c;
    }

    private static String noPurge(Clock clock) {
        java.time.LocalTime t = java.time.LocalTime.now(clock).withSecond(0).withNano(0);
        return t.plusHours(2) + "-" + t.plusHours(3);
    }
}

package io.topaz.agent.sync.engine;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.topaz.agent.broker.QueueName;
import io.topaz.agent.sync.BucketRange;
import io.topaz.agent.sync.OrderKey;
import io.topaz.agent.sync.OrderRow;
import io.topaz.agent.sync.SellerScope;
import io.topaz.agent.sync.SourceOrders;
import io.topaz.agent.sync.TargetOrders;
import io.topaz.agent.sync.db.Dialect;
import io.topaz.agent.sync.db.JdbcSourceOrders;
import io.topaz.agent.sync.db.JdbcTargetOrders;
import io.topaz.agent.sync.db.LoweringTrigger;
import io.topaz.agent.sync.db.SyncTestDatabases;
import io.topaz.agent.sync.db.TestOrders;
import io.topaz.model.config.SyncTarget;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 18's test: a PostgreSQL source of N orders, a MariaDB target, the engine on one agent (placement, lease,
 * pools, two seller groups), a random update stream whose change messages are 10 % dropped, 10 % duplicated and
 * reordered, and the target's connection killed mid-batch. After two reconciliation cycles the target equals the
 * source row for row — for the sellers who permitted the target's app: three sellers did not, and none of their orders
 * is copied, even those whose messages a stale permit routed to the sync — and the target's trigger recorded no write
 * that lowered {@code modified}.
 */
class ZeroLossSyncTest {

    private static final int ORDERS = Integer.getInteger("topaz.sync.test.orders", 100_000);
    private static final int UPDATES = Integer.getInteger("topaz.sync.test.updates", 100_000);
    private static final SellerScope ALL = SellerScope.all(new BucketRange(0, 1024));
    /** Sellers of {@code TestOrders} who did not permit the app. */
    static final java.util.Set<Long> UNPERMITTED = java.util.Set.of(1_000L, 1_001L, 1_002L);

    @TempDir
    Path dir;

    @Test
    void theTargetEqualsTheSourceAfterTwoCyclesDespiteDroppedDuplicatedReorderedMessagesAndKilledConnections()
            throws Exception {
        Clock clock = Clock.systemUTC();
        try (SyncTestDatabases.Db sourceDb = SyncTestDatabases.create(Dialect.POSTGRESQL);
             SyncTestDatabases.Db targetDb = SyncTestDatabases.create(Dialect.MARIADB);
             TestingServer zk = new TestingServer(true);
             CuratorFramework curator = CuratorFrameworkFactory.newClient(zk.getConnectString(),
                     new RetryOneTime(100));
             LocalBroker broker = new LocalBroker(dir, clock, Duration.ofSeconds(10), 16)) {
            curator.start();
            JdbcSourceOrders source = new JdbcSourceOrders(sourceDb.pool(), Dialect.POSTGRESQL);
            source.ensureSchema();
            source.save(TestOrders.rows(1, ORDERS + 1));
            sourceDb.analyze("tb_trade"); // the statistics a live order database has
            JdbcTargetOrders check = new JdbcTargetOrders(targetDb.pool(), Dialect.MARIADB, clock);
            check.ensureSchema();
            LoweringTrigger.install(targetDb.pool());

            LocalTime now = LocalTime.now(clock);
            String noPurge = now.plusHours(2).withSecond(0).withNano(0) + "-" + now.plusHours(3).withSecond(0)
                    .withNano(0); // deleted rows stay marked during the test
            SyncTarget target = new SyncTarget("demo", "12345678", targetDb.url(), targetDb.user(),
                    List.of("g1", "g2"), 4, 100, 1, 90, noPurge.replace("T", ""), null);
            SyncConfig config = new SyncConfig(List.of(target), Map.of("g1", new BucketRange(0, 512),
                    "g2", new BucketRange(512, 1024)), Map.of("g1", "c1", "g2", "c1"));
            AtomicReference<KillingDataSource> killer = new AtomicReference<>();
            SyncStores stores = new SyncStores() {
                @Override
                public SourceOrders source(DataSource pool, String jdbcUrl) {
                    return new JdbcSourceOrders(pool, Dialect.POSTGRESQL);
                }

                @Override
                public TargetOrders target(DataSource pool, String jdbcUrl) {
                    KillingDataSource k = new KillingDataSource(pool, SyncTestDatabases.MARIADB_ADMIN_URL,
                            targetDb.user(), 15, 5);
                    killer.set(k);
                    return new JdbcTargetOrders(k, Dialect.MARIADB, clock);
                }
            };
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            TestPermits permits = permittedBut(clock, UNPERMITTED);
            GroupSync.Settings settings = GroupSyncFixture.engineSettings();
            SyncEngine engine = new SyncEngine(new SyncEngine.Context("agent-1", "c1", curator,
                    new ZkLayout("/zero-loss"), broker, () -> config, name -> CompletableFuture.completedFuture(""),
                    stores, sourceDb.url() + "?user=" + sourceDb.user(), clock, registry, permits), settings, 4);
            try {
                engine.start(Duration.ofMillis(200));
                long end = stream(source, broker, config, permits, ORDERS, UPDATES, new Random(18));

                // a minute per 100,000 orders (the soak's 1,000,000 has ten times the rows to backfill)
                AtomicReference<Object> seen = new AtomicReference<>();
                try {
                    await().atMost(Duration.ofSeconds(60L * Math.max(1, ORDERS / 100_000)))
                            .conditionEvaluationListener(c -> seen.set(groups(engine)))
                            .until(() -> groups(engine).size() == 2
                            && groups(engine).stream().allMatch(g -> "done".equals(((Map<?, ?>) g.get("backfill"))
                            .get("state")) && g.get("lastReconcile") != null
                            && java.time.Instant.parse((String) g.get("lastReconcile")).toEpochMilli() > end + 2_300));
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    throw new AssertionError("the groups were not backfilled and reconciled after the stream ended at "
                            + java.time.Instant.ofEpochMilli(end) + "; last seen: " + seen.get(), e);
                }

                List<OrderKey> all = source.keys(ALL, 0, Long.MAX_VALUE, 0, Long.MAX_VALUE);
                assertThat(all).hasSize(ORDERS);
                List<OrderKey> expected = permittedOnly(all, permits);
                List<OrderKey> actual = check.keys(ALL, 0, Long.MAX_VALUE, 0, Long.MAX_VALUE);
                assertThat(expected).hasSizeLessThan(ORDERS);
                assertSameKeys(actual, expected);
                assertThat(LoweringTrigger.lowered(targetDb.pool())).isEmpty();
                assertThat(killer.get().killed.get()).isEqualTo(5);
                long missed = groups(engine).stream().mapToLong(g -> ((Number) ((Map<?, ?>) g.get("repairs"))
                        .get("missed_message")).longValue()).sum();
                assertThat(missed).isPositive();
                long errors = groups(engine).stream().mapToLong(g -> ((Number) g.get("errors")).longValue()).sum();
                assertThat(errors).isGreaterThanOrEqualTo(5); // each killed batch was counted, then retried
                assertThat(registry.find("topaz.sync.source.rows").counters()).isNotEmpty();
                assertThat(groups(engine).get(0)).containsKeys("target", "group", "holder", "epoch", "lagP50Millis",
                        "lagP99Millis", "messages", "sourceReads", "writes", "skipped", "repairs", "backfill",
                        "lastReconcile", "errors", "lastError");

                // a full reconciliation on demand (the admin port's POST /sync/reconcile) finds a planted difference
                try (java.sql.Connection c = targetDb.pool().getConnection();
                     java.sql.Statement st = c.createStatement()) {
                    st.executeUpdate("UPDATE jdp_tb_trade SET jdp_hashcode = 'planted', status = 'X' WHERE tid = 7");
                }
                Map<String, Object> full = engine.status().reconcile(SyncStatus.params(Map.of(),
                        "{\"target\":\"demo\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8))).join();
                assertThat(full.toString()).contains("repaired=1");
                assertSameKeys(check.keys(ALL, 0, Long.MAX_VALUE, 0, Long.MAX_VALUE), expected);
                assertThat(LoweringTrigger.lowered(targetDb.pool())).isEmpty();
            } finally {
                engine.close();
            }
        }
    }

    /**
     * The target's keys equal the source's, in tid order. Linear: AssertJ's {@code containsExactlyElementsOf} computes
     * a quadratic diff, hours at the soak's 1,000,000 keys; a failure names the first 20 differences.
     */
    static void assertSameKeys(List<OrderKey> actual, List<OrderKey> expected) {
        if (actual.equals(expected)) {
            return;
        }
        java.util.Map<Long, OrderKey> target = new java.util.HashMap<>();
        actual.forEach(k -> target.put(k.tid(), k));
        List<String> differences = new ArrayList<>();
        for (OrderKey k : expected) {
            OrderKey t = target.remove(k.tid());
            if (!k.equals(t) && differences.size() < 20) {
                differences.add("source " + k + ", target " + t);
            }
        }
        target.values().stream().limit(Math.max(0, 20 - differences.size()))
                .forEach(t -> differences.add("source null, target " + t));
        throw new AssertionError("the target (" + actual.size() + " orders) differs from the source (" + expected.size()
                + " orders), e.g.: " + String.join("; ", differences));
    }

    /** Every seller of {@code TestOrders} permitted the app "12345678" but {@code not}. */
    static TestPermits permittedBut(Clock clock, java.util.Set<Long> not) {
        return new TestPermits("12345678", clock, TestPermits.TEST_ORDER_SELLERS.stream()
                .filter(s -> !not.contains(s)).toList());
    }

    /** The keys of orders whose seller ({@code TestOrders.sellerOf}) permitted the app. */
    static List<OrderKey> permittedOnly(List<OrderKey> keys, TestPermits permits) {
        return keys.stream().filter(k -> permits.permitted(TestOrders.sellerOf(k.tid()))).toList();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> groups(SyncEngine engine) {
        return (List<Map<String, Object>>) engine.status().status().get("groups");
    }

    /**
     * The update stream: each change saved at the source, then its message published — routed by the seller's
     * permits, as the producer does; 10 % dropped, 10 % twice, each batch's messages shuffled; and one in five
     * messages about a seller without a permit routed all the same (a stale permit). Returns when the last change was
     * saved (epoch ms).
     */
    static long stream(JdbcSourceOrders source, LocalBroker broker, SyncConfig config, TestPermits permits,
                       int orders, int updates, Random random) throws Exception {
        long[] version = new long[orders + 1];
        long last = 0;
        for (int done = 0; done < updates; ) {
            List<OrderRow> batch = new ArrayList<>();
            long now = System.currentTimeMillis();
            java.util.Set<Long> inBatch = new java.util.HashSet<>();
            for (int i = 0; i < 200 && done < updates; i++, done++) {
                long tid = 1 + random.nextInt(orders);
                if (!inBatch.add(tid)) {
                    continue;
                }
                long modified = Math.max(now, Math.max(version[(int) tid], TestOrders.T0 + tid) + 1);
                // (versions only grow: a second stream over the same orders starts later in time)
                version[(int) tid] = modified;
                batch.add(TestOrders.row(tid, modified, "S" + random.nextInt(5), random.nextInt(50) == 0));
            }
            source.save(batch);
            last = Math.max(last, System.currentTimeMillis());
            List<long[]> messages = new ArrayList<>();
            for (OrderRow r : batch) {
                int dice = random.nextInt(10);
                if (dice == 0) {
                    continue; // dropped
                }
                messages.add(new long[]{r.tid(), r.sellerId(), r.modified().toEpochMilli()});
                if (dice == 1) {
                    messages.add(new long[]{r.tid(), r.sellerId(), r.modified().toEpochMilli()}); // duplicated
                }
            }
            Collections.shuffle(messages, random); // reordered
            List<CompletableFuture<Void>> published = new ArrayList<>();
            for (long[] m : messages) {
                List<QueueName> queues = SyncQueues.route(config, "taobao_trade_TradeChanged", permits.user(m[1]));
                if (queues.isEmpty() && random.nextInt(5) == 0) { // stale: as if the seller had a permit
                    queues = config.groupOf(m[1]).map(g -> List.of(SyncQueues.queue("demo", g))).orElse(List.of());
                }
                for (QueueName q : queues) {
                    published.add(broker.trade(q, m[0], m[1], m[2]));
                }
            }
            CompletableFuture.allOf(published.toArray(CompletableFuture[]::new)).join();
        }
        return last;
    }
}

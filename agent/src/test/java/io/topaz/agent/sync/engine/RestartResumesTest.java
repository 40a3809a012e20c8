package io.topaz.agent.sync.engine;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.topaz.agent.sync.BucketRange;
import io.topaz.agent.sync.OrderKey;
import io.topaz.agent.sync.SellerScope;
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
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The syncing agent dies mid-stream without a goodbye (its threads stopped, its ZooKeeper session closed, its
 * messages left in flight) and starts again: the new run takes the lease at a higher epoch, keeps the backfill it had
 * finished, gets the dead run's unconfirmed messages again after the redelivery timeout, backfills the seller who
 * permitted the app while no agent ran, and the target ends equal to the source (for the permitted sellers) with no
 * version lowered.
 */
class RestartResumesTest {

    private static final SellerScope ALL = SellerScope.all(new BucketRange(0, 1024));
    private static final int ORDERS = 3_000;

    @TempDir
    Path dir;

    @Test
    void aRestartedAgentResumesWhereItStoppedAndLosesNothing() throws Exception {
        Clock clock = Clock.systemUTC();
        try (SyncTestDatabases.Db sourceDb = SyncTestDatabases.create(Dialect.H2);
             SyncTestDatabases.Db targetDb = SyncTestDatabases.create(Dialect.H2);
             TestingServer zk = new TestingServer(true);
             LocalBroker broker = new LocalBroker(dir, clock, Duration.ofSeconds(2), 16)) {
            JdbcSourceOrders source = new JdbcSourceOrders(sourceDb.pool(), Dialect.H2);
            source.ensureSchema();
            source.save(TestOrders.rows(1, ORDERS + 1));
            JdbcTargetOrders check = new JdbcTargetOrders(targetDb.pool(), Dialect.H2, clock);
            check.ensureSchema();
            LoweringTrigger.install(targetDb.pool());
            SyncTarget target = new SyncTarget("demo", "12345678", targetDb.url(), targetDb.user(), List.of("g1"),
                    2, 100, 1, 90, noPurge(clock), null);
            SyncConfig config = new SyncConfig(List.of(target), Map.of("g1", ALL.buckets()), Map.of("g1", "c1"));
            ZkLayout layout = new ZkLayout("/restart");

            TestPermits permits = ZeroLossSyncTest.permittedBut(clock, java.util.Set.of(1_000L));
            CuratorFramework first = curator(zk);
            SyncEngine before = engine(first, layout, broker, config, permits, sourceDb, clock);
            await().atMost(Duration.ofSeconds(30)).until(() -> "done".equals(backfill(before)));
            ZeroLossSyncTest.stream(source, broker, config, permits, ORDERS, 3_000, new Random(1));
            // dies: no hand-back of its messages, no release of its lease (the session ends with the process)
            before.executor().shutdownNow();
            first.close();
            permits.permit(1_000L); // while no agent syncs

            CuratorFramework second = curator(zk);
            SyncEngine after = engine(second, layout, broker, config, permits, sourceDb, clock);
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> !groups(after).isEmpty()
                        && groups(after).get(0).get("holder") != null);
                Map<String, Object> g = groups(after).get(0);
                assertThat(((Number) g.get("epoch")).longValue()).isEqualTo(2);
                assertThat(backfill(after)).isEqualTo("done"); // kept in ZooKeeper: not copied again
                long end = ZeroLossSyncTest.stream(source, broker, config, permits, ORDERS, 3_000, new Random(2));
                await().atMost(Duration.ofSeconds(30)).until(() -> broker.backlog(SyncQueues.queue("demo", "g1")) == 0
                        && groups(after).get(0).get("lastReconcile") != null && java.time.Instant.parse(
                        (String) groups(after).get(0).get("lastReconcile")).toEpochMilli() > end + 2_300);
                await().atMost(Duration.ofSeconds(30)).until(() -> ((Number) groups(after).get(0)
                        .get("sellersBackfilling")).intValue() == 0);
                List<OrderKey> expected = ZeroLossSyncTest.permittedOnly(
                        source.keys(ALL, 0, Long.MAX_VALUE, 0, Long.MAX_VALUE), permits);
                assertThat(expected).hasSize(ORDERS);
                ZeroLossSyncTest.assertSameKeys(check.keys(ALL, 0, Long.MAX_VALUE, 0, Long.MAX_VALUE), expected);
                assertThat(LoweringTrigger.lowered(targetDb.pool())).isEmpty();
            } finally {
                after.close();
                second.close();
            }
        }
    }

    private static String noPurge(Clock clock) {
        java.time.LocalTime t = java.time.LocalTime.now(clock).withSecond(0).withNano(0);
        return t.plusHours(2) + "-" + t.plusHours(3);
    }

    private static CuratorFramework curator(TestingServer zk) {
        CuratorFramework c = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100));
        c.start();
        return c;
    }

    private static SyncEngine engine(CuratorFramework curator, ZkLayout layout, LocalBroker broker, SyncConfig config,
                                     TestPermits permits, SyncTestDatabases.Db sourceDb, Clock clock) {
        GroupSync.Settings settings = GroupSyncFixture.engineSettings();
        SyncEngine e = new SyncEngine(new SyncEngine.Context("agent-1", "c1", curator, layout, broker, () -> config,
                name -> CompletableFuture.completedFuture(""), new JdbcStores(clock), sourceDb.url() + ";USER=" + sourceDb.user(), clock,
                new SimpleMeterRegistry(), permits), settings, 2);
        e.start(Duration.ofMillis(200));
        return e;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> groups(SyncEngine engine) {
        return (List<Map<String, Object>>) engine.status().status().get("groups");
    }

    private static String backfill(SyncEngine engine) {
        List<Map<String, Object>> g = groups(engine);
        return g.isEmpty() || g.get(0).get("backfill") == null ? null
                : (String) ((Map<?, ?>) g.get(0).get("backfill")).get("state");
    }
}

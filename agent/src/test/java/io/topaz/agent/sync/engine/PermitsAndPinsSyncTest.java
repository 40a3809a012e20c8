package io.topaz.agent.sync.engine;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.topaz.agent.sync.BucketRange;
import io.topaz.agent.sync.OrderKey;
import io.topaz.agent.sync.SellerScope;
import io.topaz.agent.sync.TargetOrders;
import io.topaz.agent.sync.db.Dialect;
import io.topaz.agent.sync.db.JdbcSourceOrders;
import io.topaz.agent.sync.db.JdbcTargetOrders;
import io.topaz.agent.sync.db.SyncTestDatabases;
import io.topaz.agent.sync.db.TestOrders;
import io.topaz.model.config.SyncTarget;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Who is copied, on real databases (a PostgreSQL source, a MariaDB or PostgreSQL target) with the whole engine: only
 * the sellers who permitted the target's app — a seller without a permit is copied neither by backfill, nor by the
 * live stream (even when a stale permit routed its messages), nor by reconciliation, incremental or full; a seller
 * who permits the app later is backfilled, then kept current; a seller whose permit is cancelled is no longer synced
 * and its rows stay as they were; a pinned seller is synced by its pin group only, and the range group's
 * reconciliation leaves its rows alone.
 */
class PermitsAndPinsSyncTest {

    private static final int ORDERS = 3_000;
    private static final SellerScope ALL = SellerScope.all(new BucketRange(0, 1024));
    private static final long NEVER = 1_001;
    private static final long JOINS = 1_002;
    private static final long LEAVES = 1_003;
    private static final long PINNED = 1_005;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = Dialect.class, names = {"MARIADB", "POSTGRESQL"})
    void onlyPermittedSellersAreCopiedAndPinsBelongToTheirPinGroup(Dialect targetDialect) throws Exception {
        Clock clock = Clock.systemUTC();
        try (SyncTestDatabases.Db sourceDb = SyncTestDatabases.create(Dialect.POSTGRESQL);
             SyncTestDatabases.Db targetDb = SyncTestDatabases.create(targetDialect);
             TestingServer zk = new TestingServer(true);
             CuratorFramework curator = CuratorFrameworkFactory.newClient(zk.getConnectString(),
                     new RetryOneTime(100));
             LocalBroker broker = new LocalBroker(dir, clock, Duration.ofSeconds(10), 16)) {
            curator.start();
            JdbcSourceOrders source = new JdbcSourceOrders(sourceDb.pool(), Dialect.POSTGRESQL);
            source.ensureSchema();
            source.save(TestOrders.rows(1, ORDERS + 1));
            JdbcTargetOrders check = new JdbcTargetOrders(targetDb.pool(), targetDialect, clock);
            check.ensureSchema();

            LocalTime now = LocalTime.now(clock).withSecond(0).withNano(0);
            SyncTarget target = new SyncTarget("demo", "12345678", targetDb.url(), targetDb.user(),
                    List.of("g1", "hot"), 4, 100, 1, 90, now.plusHours(2) + "-" + now.plusHours(3), null);
            SyncConfig config = new SyncConfig(List.of(target), Map.of("g1", new BucketRange(0, 1024)),
                    Map.of("g1", "c1", "hot", "c1"), Map.of(PINNED, "hot"), Map.of());
            TestPermits permits = ZeroLossSyncTest.permittedBut(clock, Set.of(NEVER, JOINS));
            SyncStores stores = GroupSyncFixture.stores(targetDialect, clock);
            GroupSync.Settings settings = GroupSyncFixture.engineSettings();
            SyncEngine engine = new SyncEngine(new SyncEngine.Context("agent-1", "c1", curator,
                    new ZkLayout("/permits"), broker, () -> config, name -> CompletableFuture.completedFuture(""),
                    stores, sourceDb.url() + "?user=" + sourceDb.user(), clock, new SimpleMeterRegistry(), permits),
                    settings, 4);
            try {
                engine.start(Duration.ofMillis(200));
                await().atMost(Duration.ofSeconds(60)).until(() -> groups(engine).size() == 2 && groups(engine)
                        .stream().allMatch(g -> g.get("backfill") instanceof Map<?, ?> b && "done".equals(b.get("state"))));
                assertThat(sellers(engine, "g1")).isEqualTo(97 - 3); // NEVER, JOINS and the pinned seller left out
                assertThat(sellers(engine, "hot")).isEqualTo(1);

                // backfill, live stream (with stale routes of unpermitted sellers) and incremental reconciliation
                converge(engine, source, check, broker, config, permits, new Random(1));
                assertThat(tidsOf(check, NEVER)).isEmpty();
                assertThat(tidsOf(check, JOINS)).isEmpty();
                assertThat(tidsOf(check, PINNED)).isNotEmpty();

                // a full reconciliation finds nothing to copy: the unpermitted sellers are out of its scope too
                for (Map<?, ?> g : reconcile(engine, null)) {
                    assertThat(((Number) g.get("differences")).intValue()).as(g.toString()).isZero();
                }
                assertThat(tidsOf(check, NEVER)).isEmpty();

                // a pinned seller's difference: the range group's reconciliation does not see it, the pin group's does
                try (Connection c = targetDb.pool().getConnection(); Statement st = c.createStatement()) {
                    st.executeUpdate("UPDATE jdp_tb_trade SET jdp_hashcode = 'planted', status = 'X' WHERE tid = 5");
                }
                Map<?, ?> range = reconcile(engine, "g1").get(0);
                assertThat(((Number) range.get("differences")).intValue()).isZero();
                assertThat(check.keysOf(List.of(5L)).get(0).hashcode()).isEqualTo("planted");
                Map<?, ?> pin = reconcile(engine, "hot").get(0);
                assertThat(((Number) pin.get("repaired")).intValue()).isEqualTo(1);
                assertThat(check.keysOf(List.of(5L))).isEqualTo(source.keysOf(List.of(5L)));

                // a seller permits the app: backfilled, then kept current by the stream
                permits.permit(JOINS);
                await().atMost(Duration.ofSeconds(30)).until(() -> tidsOf(check, JOINS).equals(tidsOf(source, JOINS))
                        && sellers(engine, "g1") == 95);
                converge(engine, source, check, broker, config, permits, new Random(2));

                // a permit cancelled: no longer synced; what was copied stays as it was
                List<OrderKey> left = keysOf(check, LEAVES);
                permits.cancel(LEAVES);
                await().atMost(Duration.ofSeconds(30)).until(() -> sellers(engine, "g1") == 94);
                converge(engine, source, check, broker, config, permits, new Random(3));
                assertThat(keysOf(check, LEAVES)).isEqualTo(left);
                assertThat(keysOf(source, LEAVES)).isNotEqualTo(left); // the source moved on
                assertThat(tidsOf(check, NEVER)).isEmpty();
            } finally {
                engine.close();
            }
        }
    }

    /** Streams 3,000 updates, then waits for the reconciliation after them: the target equals the permitted part. */
    private static void converge(SyncEngine engine, JdbcSourceOrders source, JdbcTargetOrders check,
                                 LocalBroker broker, SyncConfig config, TestPermits permits, Random random)
            throws Exception {
        long end = ZeroLossSyncTest.stream(source, broker, config, permits, ORDERS, 3_000, random);
        await().atMost(Duration.ofSeconds(60)).until(() -> groups(engine).stream().allMatch(g ->
                g.get("lastReconcile") != null
                        && Instant.parse((String) g.get("lastReconcile")).toEpochMilli() > end + 2_300)
                && broker.backlog(SyncQueues.queue("demo", "g1")) == 0
                && broker.backlog(SyncQueues.queue("demo", "hot")) == 0);
        List<OrderKey> expected = ZeroLossSyncTest.permittedOnly(source.keys(ALL, 0, Long.MAX_VALUE, 0,
                Long.MAX_VALUE), permits);
        List<OrderKey> actual = check.keys(ALL, 0, Long.MAX_VALUE, 0, Long.MAX_VALUE);
        // a cancelled seller's rows stay on the target, as they were: compare the others
        ZeroLossSyncTest.assertSameKeys(actual.stream().filter(k -> permits.permitted(TestOrders.sellerOf(k.tid())))
                .toList(), expected);
    }

    private static List<Long> tidsOf(io.topaz.agent.sync.TargetOrders side, long seller) throws Exception {
        return keysOf(side, seller).stream().map(OrderKey::tid).toList();
    }

    private static List<Long> tidsOf(JdbcSourceOrders side, long seller) throws Exception {
        return keysOf(side, seller).stream().map(OrderKey::tid).toList();
    }

    private static List<OrderKey> keysOf(io.topaz.agent.sync.TargetOrders side, long seller) throws Exception {
        return side.keys(SellerScope.of(null, Map.of(seller, TestPermits.nick(seller))), 0, Long.MAX_VALUE, 0,
                Long.MAX_VALUE);
    }

    private static List<OrderKey> keysOf(JdbcSourceOrders side, long seller) throws Exception {
        return side.keys(SellerScope.of(null, Map.of(seller, TestPermits.nick(seller))), 0, Long.MAX_VALUE, 0,
                Long.MAX_VALUE);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> groups(SyncEngine engine) {
        return (List<Map<String, Object>>) engine.status().status().get("groups");
    }

    private static int sellers(SyncEngine engine, String group) {
        return groups(engine).stream().filter(g -> group.equals(g.get("group")))
                .mapToInt(g -> g.get("sellers") == null ? -1 : ((Number) g.get("sellers")).intValue())
                .findFirst().orElse(-1);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<?, ?>> reconcile(SyncEngine engine, String group) {
        String body = "{\"target\":\"demo\"" + (group == null ? "" : ",\"group\":\"" + group + "\"") + "}";
        Map<String, Object> r = engine.status().reconcile(SyncStatus.params(Map.of(),
                body.getBytes(StandardCharsets.UTF_8))).join();
        return (List<Map<?, ?>>) r.get("groups");
    }
}

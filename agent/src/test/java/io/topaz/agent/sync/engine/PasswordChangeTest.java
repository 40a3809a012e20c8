package io.topaz.agent.sync.engine;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.topaz.agent.sync.BucketRange;
import io.topaz.agent.sync.SyncCredentials;
import io.topaz.agent.sync.db.Dialect;
import io.topaz.agent.sync.db.JdbcSourceOrders;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A target password set, changed or removed at the control plane reaches a running group: the group's pool keeps the
 * password it was opened with, so the engine restarts the group (a new lease epoch) when the password it runs with is
 * no longer the target's; an event that changes nothing restarts nothing. (PostgreSQL here trusts every password, so
 * the pool opens whatever the password; what is checked is that the group is restarted with the new one.)
 */
class PasswordChangeTest {

    @TempDir
    Path dir;

    /** Passwords as the control plane keeps them, with its SYNC_TARGET events. */
    private static final class Passwords implements SyncCredentials {
        volatile String password = "first";
        final AtomicInteger asked = new AtomicInteger();
        final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<String> password(String target) {
            asked.incrementAndGet();
            return CompletableFuture.completedFuture(password);
        }

        @Override
        public void onChange(Consumer<String> listener) {
            listeners.add(listener);
        }

        void event(String target) {
            listeners.forEach(l -> l.accept(target));
        }
    }

    @Test
    void aRunningGroupIsRestartedWhenItsTargetsPasswordChangesAndOnlyThen() throws Exception {
        Clock clock = Clock.systemUTC();
        try (SyncTestDatabases.Db sourceDb = SyncTestDatabases.create(Dialect.POSTGRESQL);
             SyncTestDatabases.Db targetDb = SyncTestDatabases.create(Dialect.POSTGRESQL);
             TestingServer zk = new TestingServer(true);
             CuratorFramework curator = CuratorFrameworkFactory.newClient(zk.getConnectString(),
                     new RetryOneTime(100));
             LocalBroker broker = new LocalBroker(dir, clock, Duration.ofSeconds(10), 16)) {
            curator.start();
            JdbcSourceOrders source = new JdbcSourceOrders(sourceDb.pool(), Dialect.POSTGRESQL);
            source.ensureSchema();
            source.save(TestOrders.rows(1, 101));
            SyncTarget target = new SyncTarget("erp", "12345678", targetDb.url(), targetDb.user(), List.of("g1"),
                    2, 100, 1, 90, null, null);
            SyncConfig config = new SyncConfig(List.of(target), Map.of("g1", new BucketRange(0, 1024)),
                    Map.of("g1", "c1"), Map.of(), Map.of());
            SyncStores stores = GroupSyncFixture.stores(Dialect.POSTGRESQL, clock);
            Passwords passwords = new Passwords();
            GroupSync.Settings settings = GroupSyncFixture.engineSettings();
            SyncEngine engine = new SyncEngine(new SyncEngine.Context("agent-1", "c1", curator,
                    new ZkLayout("/passwords"), broker, () -> config, passwords, stores,
                    sourceDb.url() + "?user=" + sourceDb.user(), clock, new SimpleMeterRegistry(),
                    ZeroLossSyncTest.permittedBut(clock, java.util.Set.of())), settings, 2);
            try {
                engine.start(Duration.ofMillis(100));
                await().atMost(Duration.ofSeconds(60)).until(() -> epoch(engine) > 0);
                long first = epoch(engine);

                passwords.password = "second"; // changed at the control plane
                passwords.event("erp");
                await().atMost(Duration.ofSeconds(30)).until(() -> epoch(engine) > first);
                long second = epoch(engine);
                assertThat(second).isEqualTo(first + 1);

                passwords.event("erp"); // an event that changes nothing (e.g. the same password set again) ...
                passwords.event(null); // ... and missed events: the password is asked again, the group keeps running
                int asked = passwords.asked.get();
                await().atMost(Duration.ofSeconds(30)).until(() -> passwords.asked.get() >= asked + 1);
                passwords.event("erp"); // asked in a later control round, after the first one's decision
                await().atMost(Duration.ofSeconds(30)).until(() -> passwords.asked.get() >= asked + 2);
                assertThat(epoch(engine)).as("still running under the same lease").isEqualTo(second);

                passwords.password = ""; // removed at the control plane
                passwords.event("erp");
                await().atMost(Duration.ofSeconds(30)).until(() -> epoch(engine) > second);
                assertThat(epoch(engine)).isEqualTo(second + 1);
            } finally {
                engine.close();
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static long epoch(SyncEngine engine) {
        List<Map<String, Object>> groups = (List<Map<String, Object>>) engine.status().status().get("groups");
        return groups.stream().filter(g -> "g1".equals(g.get("group")) && g.get("epoch") != null)
                .mapToLong(g -> ((Number) g.get("epoch")).longValue()).max().orElse(0);
    }
}

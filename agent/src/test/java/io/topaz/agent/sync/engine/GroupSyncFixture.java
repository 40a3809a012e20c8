package io.topaz.agent.sync.engine;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.topaz.agent.broker.QueueName;
import io.topaz.agent.sync.BucketRange;
import io.topaz.agent.sync.OrderKey;
import io.topaz.agent.sync.SellerPermits;
import io.topaz.agent.sync.SourceOrders;
import io.topaz.agent.sync.TargetOrders;
import io.topaz.agent.sync.db.Dialect;
import io.topaz.agent.sync.db.JdbcSourceOrders;
import io.topaz.agent.sync.db.JdbcTargetOrders;
import io.topaz.agent.sync.db.SyncTestDatabases;
import io.topaz.model.config.SyncTarget;
import io.topaz.model.testing.MutableClock;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * One (target, group) sync driven by hand: H2 source and target (or any {@link TargetOrders}), the real broker
 * storage and a real ZooKeeper lease, every clock a {@link MutableClock}; {@link #tick()} is one round of the group.
 */
final class GroupSyncFixture implements AutoCloseable {

    static final BucketRange ALL = new BucketRange(0, 1024);
    private static final AtomicInteger ROOTS = new AtomicInteger();

    final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    final TestingServer zk;
    final CuratorFramework curator;
    final ZkLayout layout = new ZkLayout("/sync" + ROOTS.incrementAndGet());
    final SyncLeases leases;
    final SyncTestDatabases.Db sourceDb;
    final JdbcSourceOrders source;
    final LocalBroker broker;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final List<AutoCloseable> closeables = new ArrayList<>();
    SyncTestDatabases.Db targetDb;
    TargetOrders target;
    SyncLeases.Lease lease;
    GroupMetrics metrics;
    GroupSync sync;
    final QueueName queue = SyncQueues.queue("demo", "g1");

    GroupSyncFixture(Path dir) throws Exception {
        zk = new TestingServer(true);
        curator = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100));
        curator.start();
        leases = new SyncLeases(curator, layout, "agent-1");
        sourceDb = SyncTestDatabases.create(Dialect.H2);
        source = new JdbcSourceOrders(sourceDb.pool(), Dialect.H2);
        source.ensureSchema();
        broker = new LocalBroker(dir, clock, Duration.ofSeconds(10), 3);
    }

    /** A fresh H2 target (its tables created by the sync). */
    GroupSyncFixture h2Target() {
        targetDb = SyncTestDatabases.create(Dialect.H2);
        target = new JdbcTargetOrders(targetDb.pool(), Dialect.H2, clock);
        return this;
    }

    static SyncTarget config(int backfillDays) {
        return new SyncTarget("demo", "12345678", "jdbc:h2:mem:x", "sa", List.of("g1"), 2, 100, 30, backfillDays,
                "00:00-00:01", null);
    }

    static GroupSync.Settings settings() {
        return new GroupSync.Settings(1_000, 500, 20_000, 100_000, Duration.ofSeconds(5), Duration.ofMillis(100),
                Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(10), ZoneOffset.UTC);
    }

    /** The settings the engine-level tests run with: as {@link #settings()}, with a 200 ms handover timeout. */
    static GroupSync.Settings engineSettings() {
        return new GroupSync.Settings(1_000, 500, 20_000, 100_000, Duration.ofSeconds(5), Duration.ofMillis(100),
                Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofSeconds(10), ZoneOffset.UTC);
    }

    /** Stores over PostgreSQL orders (the source) and a target of {@code targetDialect}. */
    static SyncStores stores(Dialect targetDialect, Clock clock) {
        return new SyncStores() {
            @Override
            public SourceOrders source(DataSource pool, String jdbcUrl) {
                return new JdbcSourceOrders(pool, Dialect.POSTGRESQL);
            }

            @Override
            public TargetOrders target(DataSource pool, String jdbcUrl) {
                return new JdbcTargetOrders(pool, targetDialect, clock);
            }
        };
    }

    /** Starts the group with every seller of {@code TestOrders} permitted. */
    GroupSync start(SyncTarget config) throws Exception {
        return start(config, new TestPermits("12345678", clock, TestPermits.TEST_ORDER_SELLERS).list());
    }

    GroupSync start(SyncTarget config, List<SellerPermits.Seller> sellers) throws Exception {
        lease = leases.acquire("demo", "g1").orElseThrow();
        metrics = new GroupMetrics(registry, "demo", "g1");
        sync = new GroupSync(config, lease, ALL, sellers, broker, source, target, clock, metrics, settings());
        return sync;
    }

    void tick() {
        sync.tick();
    }

    /** Ticks until the incremental reconciliation's open cycle has compared its last slice (at most 100 ticks). */
    void finishCycle() {
        for (int i = 0; i < 100 && sync.reconciling(); i++) {
            tick();
        }
        if (sync.reconciling()) {
            throw new AssertionError("the reconciliation cycle did not finish in 100 ticks");
        }
    }

    /** Two ticks around the merge window: consume, then flush. */
    void round() {
        tick();
        clock.advance(Duration.ofMillis(100));
        tick();
    }

    List<OrderKey> targetKeys(List<Long> tids) throws Exception {
        return target.keysOf(tids);
    }

    @Override
    public void close() throws Exception {
        if (sync != null) {
            sync.stop();
        }
        if (metrics != null) {
            metrics.close();
        }
        for (AutoCloseable c : closeables) {
            c.close();
        }
        if (target != null) {
            target.close();
        }
        if (targetDb != null) {
            targetDb.close();
        }
        source.close();
        sourceDb.close();
        broker.close();
        leases.close();
        curator.close();
        zk.close();
    }
}

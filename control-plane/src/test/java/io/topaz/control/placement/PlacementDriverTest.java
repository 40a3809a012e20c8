package io.topaz.control.placement;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.topaz.control.TestZooKeeper;
import io.topaz.control.audit.AuditLog;
import io.topaz.control.audit.AuditOutbox;
import io.topaz.model.config.AgentCluster;
import io.topaz.model.config.Assignment;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.SellerGroup;
import io.topaz.model.json.Json;
import io.topaz.model.placement.GroupPlacement;
import io.topaz.model.testing.MutableClock;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The placement driver against a real ZooKeeper with fake syncing agents (ephemeral nodes with load reports): first
 * placements, an agent's node gone (its groups fail over within a bounded wait), a whole zone gone, a returning agent
 * that gets work back only after the rebalance interval (the clock is moved by hand), a cluster change, and writes that
 * lose to a concurrent change. Every placement is audited.
 */
class PlacementDriverTest {

    private static final Duration FAILOVER_BOUND = Duration.ofSeconds(5);

    private final String connect = TestZooKeeper.connectString();
    private final ZkLayout layout = new ZkLayout(TestZooKeeper.uniqueRoot());
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T10:00:00Z"));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicReference<ConfigSnapshot> live = new AtomicReference<>();
    private final List<FakeSyncAgent> agents = new ArrayList<>();
    private CuratorFramework curator;
    private JdbcClient jdbc;
    private PlacementCaches caches;
    private PlacementWriter writer;
    private PlacementDriver driver;

    @BeforeEach
    void start() throws Exception {
        var db = new DriverManagerDataSource("jdbc:h2:mem:placement-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");
        Flyway.configure().dataSource(db).locations("classpath:db/migration").load().migrate();
        jdbc = JdbcClient.create(db);
        curator = CuratorFrameworkFactory.newClient(connect, new RetryOneTime(100));
        curator.start();
        live.set(config("blue", 4));
        PlacementMetrics metrics = new PlacementMetrics(registry);
        caches = new PlacementCaches(curator, layout);
        writer = new PlacementWriter(curator, layout, new AuditOutbox(curator, layout, new AuditLog(jdbc, clock), clock),
                metrics);
        PlacementProperties settings = new PlacementProperties(Duration.ofHours(1), Duration.ofSeconds(60),
                Duration.ofMinutes(5), 0.25, 10);
        driver = new PlacementDriver(caches, writer, live::get, settings, clock, metrics, () -> true);
        caches.start();
    }

    /** Starts the driver once the test's first agents are up (the first agent up would otherwise get every group). */
    private void startDriver() {
        driver.start();
        driver.passSoon();
    }

    @AfterEach
    void stop() {
        agents.forEach(FakeSyncAgent::close);
        driver.close();
        caches.close();
        curator.close();
    }

    /** Cluster blue over zones a and b, green in zone a; groups g1..gN assigned to {@code cluster}. */
    private static ConfigSnapshot config(String cluster, int groups) {
        ConfigSnapshot.Builder b = ConfigSnapshot.builder(1)
                .put(ConfigKind.AGENT_CLUSTERS, new AgentCluster("blue", List.of("a", "b"), 8, null))
                .put(ConfigKind.AGENT_CLUSTERS, new AgentCluster("green", List.of("a"), 8, null));
        for (int i = 1; i <= groups; i++) {
            b.put(ConfigKind.SELLER_GROUPS, new SellerGroup("g" + i, null, (i - 1) * 10, i * 10));
            b.put(ConfigKind.ASSIGNMENTS, new Assignment("g" + i, cluster));
        }
        return b.build();
    }

    private FakeSyncAgent agent(String cluster, String id, String zone) throws Exception {
        FakeSyncAgent a = FakeSyncAgent.start(connect, layout, cluster, id, zone, Map.of());
        agents.add(a);
        await().atMost(Duration.ofSeconds(10)).until(() -> caches.syncAgents().stream().anyMatch(s -> s.id().equals(id)));
        return a;
    }

    /** The placements as ZooKeeper holds them now (not through the driver's caches). */
    private Map<String, GroupPlacement> placements() throws Exception {
        Map<String, GroupPlacement> out = new TreeMap<>();
        if (curator.checkExists().forPath(layout.syncPlacements()) == null) {
            return out;
        }
        for (String child : curator.getChildren().forPath(layout.syncPlacements())) {
            GroupPlacement p = Json.read(curator.getData().forPath(layout.syncPlacements() + "/" + child),
                    GroupPlacement.class);
            out.put(p.group(), p);
        }
        return out;
    }

    private long count(String agent) throws Exception {
        return placements().values().stream().filter(p -> p.agent().equals(agent)).count();
    }

    private long audited() {
        return jdbc.sql("select count(*) from audit_event where action = 'PLACEMENT' and actor = 'placer' "
                + "and kind = 'placements'").query(Long.class).single();
    }

    @Test
    void groupsArePlacedFailOverWhenAnAgentOrAWholeZoneGoesAndComeBackOnlyAfterTheInterval() throws Exception {
        FakeSyncAgent a1 = agent("blue", "a1", "a");
        agents.add(FakeSyncAgent.legacy(connect, layout, "blue", "b1", "b")); // its zone from its registration
        agent("blue", "b2", "b");
        await().atMost(Duration.ofSeconds(10)).until(() -> caches.syncAgents().size() == 3);
        startDriver();

        await().atMost(Duration.ofSeconds(10)).until(() -> placements().size() == 4);
        assertThat(placements().values()).allSatisfy(p -> {
            assertThat(p.reason()).isEqualTo(GroupPlacement.INITIAL);
            assertThat(p.cluster()).isEqualTo("blue");
        });
        assertThat(count("a1")).as("zone a holds half the groups").isEqualTo(2);
        assertThat(count("b1") + count("b2")).isEqualTo(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> audited() == 4);

        // zone a (its one agent) vanishes: its groups go to zone b at once, whatever the minimum stay
        a1.close();
        await().atMost(FAILOVER_BOUND).until(() -> count("a1") == 0);
        assertThat(placements().values()).filteredOn(p -> p.reason().equals(GroupPlacement.FAILOVER)).hasSize(2)
                .allSatisfy(p -> {
                    assertThat(p.previousAgent()).isEqualTo("a1");
                    assertThat(p.generation()).isEqualTo(2);
                });
        assertThat(count("b1")).isEqualTo(2);
        assertThat(count("b2")).isEqualTo(2);
        assertThat(registry.get("topaz.placement.placements").tag("reason", "failover").counter().count()).isEqualTo(2);
        assertThat(registry.get("topaz.placement.last.failover.seconds").gauge().value())
                .isEqualTo(clock.millis() / 1000.0);

        // an agent of zone b goes too: all on the last one
        agents.get(1).close();
        await().atMost(FAILOVER_BOUND).until(() -> count("b2") == 4);

        // a1 comes back ten minutes later: nothing for it until it has been live for the rebalance interval
        clock.advance(Duration.ofMinutes(10));
        agent("blue", "a1", "a");
        driver.pass();
        clock.advance(Duration.ofSeconds(59));
        driver.pass();
        assertThat(count("a1")).isZero();
        clock.advance(Duration.ofSeconds(1));
        driver.pass();
        assertThat(count("a1")).as("one group per interval").isEqualTo(1);
        assertThat(placements().values()).filteredOn(p -> p.agent().equals("a1"))
                .singleElement().satisfies(p -> assertThat(p.reason()).isEqualTo(GroupPlacement.REBALANCE));
        clock.advance(Duration.ofSeconds(30));
        driver.pass();
        assertThat(count("a1")).isEqualTo(1);
        clock.advance(Duration.ofSeconds(30));
        driver.pass();
        assertThat(count("a1")).isEqualTo(2);
        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofMinutes(1));
            driver.pass();
        }
        assertThat(count("a1")).as("balanced: no flapping").isEqualTo(2);
        assertThat(count("b2")).isEqualTo(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> audited() == 4 + 2 + 2 + 2);
        assertThat(driver.lastPlan().unplacedCount()).isZero();
    }

    @Test
    void aClusterChangeMovesTheGroupAndAClusterWithoutAgentsLeavesItsGroupsUnplaced() throws Exception {
        agent("blue", "b1", "b");
        startDriver();
        await().atMost(Duration.ofSeconds(5)).until(() -> placements().size() == 4);

        live.set(config("green", 4)); // every group assigned to green, which has no live agent yet
        driver.pass();
        assertThat(placements().values()).allSatisfy(p -> assertThat(p.cluster()).isEqualTo("blue"));
        assertThat(driver.lastPlan().unplaced()).containsOnlyKeys("green");
        assertThat(registry.get("topaz.placement.unplaced.groups").gauge().value()).isEqualTo(4);

        agent("green", "n1", "a");
        await().atMost(Duration.ofSeconds(5)).until(() -> placements().values().stream()
                .allMatch(p -> p.agent().equals("n1") && p.reason().equals(GroupPlacement.CLUSTER_CHANGE)));
        assertThat(placements().values()).allSatisfy(p -> assertThat(p.previousAgent()).isEqualTo("b1"));
        driver.pass();
        assertThat(registry.get("topaz.placement.unplaced.groups").gauge().value()).isZero();
    }

    @Test
    void aWriteOnAStaleVersionLosesAndIsNotAudited() throws Exception {
        agent("blue", "b1", "b");
        driver.pass();
        await().atMost(Duration.ofSeconds(5)).until(() -> caches.placements().size() == 4);
        PlacementCaches.Placed g1 = caches.placements().get("g1");
        long before = audited();
        GroupPlacement moved = g1.placement().moveTo("blue", "x", clock.millis(), GroupPlacement.OPERATOR);
        assertThat(writer.write(moved, g1.version() + 1, "op")).isFalse();
        assertThat(writer.write(moved, -1, "op")).as("create over an existing node").isFalse();
        assertThat(writer.write(moved, g1.version(), "op")).isTrue();
        writer.flushAudit();
        assertThat(jdbc.sql("select count(*) from audit_event where action = 'PLACEMENT' and actor = 'op'")
                .query(Long.class).single()).isEqualTo(1L);
        assertThat(audited()).isEqualTo(before);
    }
}

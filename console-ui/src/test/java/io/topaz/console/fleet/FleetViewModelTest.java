package io.topaz.console.fleet;

import io.topaz.console.SimulatedAgent;
import io.topaz.console.TcpRelay;
import io.topaz.console.TestCluster;
import io.topaz.console.common.Session;
import io.topaz.console.controlplane.ControlPlaneClient;
import io.topaz.console.controlplane.Role;
import io.topaz.model.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class FleetViewModelTest {

    private final TestCluster cluster = TestCluster.get();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T08:00:00Z"));

    /**
     * The live release, made at least 2 by publishing one of this test's own when needed, so that an agent one
     * release behind stands on a real release (1) whichever test classes ran before this one.
     */
    private long liveReleaseOfTwoOrMore() {
        ControlPlaneClient operator = cluster.client(cluster.token(Role.OPERATOR));
        if (operator.fleet().liveRelease() < 2) {
            operator.create("agent-clusters", Map.of("name", "fleet-test", "zone", "zone-f"));
            cluster.awaitApplied(operator.publish("fleet test: a second release").number());
        }
        return operator.fleet().liveRelease();
    }

    private AgentRow row(FleetViewModel vm, String id) {
        return vm.agents().stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void showsEachAgentWithItsPlacementReleaseHealthAndTraffic() throws Exception {
        Session viewer = cluster.session(Role.VIEWER);
        FleetViewModel vm = new FleetViewModel(viewer, TestCluster.directWork(),
                new AgentMetricsReader(Duration.ofSeconds(2), clock));
        long live = liveReleaseOfTwoOrMore();
        try (SimulatedAgent behind = new SimulatedAgent(cluster.zkConnect(), "sim-behind", "zone-c", "blue", live - 1)) {
            behind.serve(1000, 10);
            vm.refresh();

            assertThat(vm.liveReleaseProperty().get()).isEqualTo(live);
            assertThat(vm.agents()).extracting(AgentRow::id).contains("agent-1", "agent-2", "sim-behind");
            AgentRow real = row(vm, "agent-1");
            assertThat(real.zoneProperty().get()).isEqualTo("zone-a");
            assertThat(real.clusterProperty().get()).isEqualTo("blue");
            assertThat(real.appliedReleaseProperty().get()).isEqualTo(live);
            assertThat(real.releaseProperty().get()).isEqualTo(String.valueOf(live));
            assertThat(real.laggingProperty().get()).isFalse();
            assertThat(real.healthProperty().get()).isEqualTo(AgentHealth.UP);
            assertThat(real.addressProperty().get()).isEqualTo("127.0.0.1:" + cluster.agents().get(0).adminPort());

            AgentRow lagging = row(vm, "sim-behind");
            assertThat(lagging.laggingProperty().get()).isTrue();
            assertThat(lagging.releasesBehindProperty().get()).isEqualTo(1);
            assertThat(lagging.releaseProperty().get()).isEqualTo((live - 1) + "  (1 behind)");
            assertThat(vm.summaryProperty().get()).isEqualTo("Live release " + live + " · 3 agents · 1 lagging");

            behind.serve(50, 5);
            clock.advance(Duration.ofSeconds(5));
            vm.refresh();
            assertThat(row(vm, "sim-behind")).isSameAs(lagging);
            assertThat(lagging.traffic().calls()).containsExactly(0.0, 10.0);
            assertThat(lagging.traffic().errors()).containsExactly(0.0, 1.0);
            // Real agents serve no gateway counters yet: a flat line, and no error.
            assertThat(real.traffic().calls()).containsOnly(0.0).hasSize(2);
            assertThat(vm.messageProperty().get()).isEmpty();

            behind.zookeeperConnected(false);
            vm.refresh();
            assertThat(lagging.healthProperty().get()).isEqualTo(AgentHealth.ZOOKEEPER_LOST);
        }
        vm.refresh();
        assertThat(vm.agents()).extracting(AgentRow::id).doesNotContain("sim-behind");
        assertThat(vm.summaryProperty().get()).endsWith("none lagging");
    }

    @Test
    void anAgentWhoseAdminPortIsClosedIsMarkedNotTheScreen() throws Exception {
        Session viewer = cluster.session(Role.VIEWER);
        FleetViewModel vm = new FleetViewModel(viewer, TestCluster.directWork(),
                new AgentMetricsReader(Duration.ofMillis(500), clock));
        try (SimulatedAgent gone = new SimulatedAgent(cluster.zkConnect(), "sim-silent", "zone-c", "blue", 1)) {
            gone.closeAdminPort();
            vm.refresh();
            assertThat(row(vm, "sim-silent").healthProperty().get()).isEqualTo(AgentHealth.NO_ANSWER);
            assertThat(row(vm, "agent-2").healthProperty().get()).isEqualTo(AgentHealth.UP);
            assertThat(vm.messageProperty().get()).isEmpty();
        }
    }

    @Test
    void aLostControlPlaneIsAMessageAndTheRowsStayUntilItAnswersAgain() throws Exception {
        Session viewer = cluster.session(Role.VIEWER);
        try (TcpRelay relay = new TcpRelay(URI.create(cluster.url()).getPort())) {
            Session viaRelay = new Session(new ControlPlaneClient(URI.create(relay.url()), TestCluster.ADMIN_TOKEN,
                    Duration.ofMillis(500), Duration.ofSeconds(2)), viewer.operator());
            FleetViewModel vm = new FleetViewModel(viaRelay, TestCluster.directWork(),
                    new AgentMetricsReader(Duration.ofSeconds(1), clock));
            vm.refresh();
            int rows = vm.agents().size();
            assertThat(rows).isGreaterThanOrEqualTo(2);

            relay.cut();
            vm.refresh();
            assertThat(vm.messageProperty().get()).startsWith("Cannot load the fleet: cannot reach the control plane at "
                    + relay.url());
            assertThat(vm.loadingProperty().get()).isFalse();
            assertThat(vm.agents()).hasSize(rows);

            relay.restore();
            vm.refresh();
            assertThat(vm.messageProperty().get()).isEmpty();
            assertThat(vm.agents()).hasSize(rows);
        }
    }
}

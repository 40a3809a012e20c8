package io.topaz.console.fleet;

import io.topaz.console.SimulatedAgent;
import io.topaz.console.TcpRelay;
import io.topaz.console.TestCluster;
import io.topaz.console.common.Session;
import io.topaz.console.controlplane.ControlPlaneClient;
import io.topaz.console.controlplane.Role;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * The fleet screen's view-model against a real control plane and agents (no JavaFX started): rows, lag and health from
 * the control plane, and each agent's gateway rates from the control plane's own poll of the agents
 * ({@code GET /api/v1/traffic/agents}) — the view-model has no way to reach an agent.
 */
class FleetViewModelTest {

    private final TestCluster cluster = TestCluster.get();

    /**
     * The live release, made at least 2 by publishing one of this test's own when needed, so that an agent one
     * release behind stands on a real release (1) whichever test classes ran before this one.
     */
    private long liveReleaseOfTwoOrMore() {
        ControlPlaneClient operator = cluster.client(cluster.token(Role.OPERATOR));
        if (operator.fleet().liveRelease() < 2) {
            operator.create("agent-clusters", Map.of("name", "fleet-test", "zone", "zone-f"));
            cluster.awaitApplied(operator.publish(operator.diff().draftRevision(), "fleet test: a second release", null).number());
        }
        return operator.fleet().liveRelease();
    }

    private static Optional<AgentRow> row(FleetViewModel vm, String id) {
        return vm.agents().stream().filter(r -> r.id().equals(id)).findFirst();
    }

    /** Refreshes until the condition holds: the control plane's own poll (every 500 ms here) decides when. */
    private static void refreshUntil(FleetViewModel vm, Callable<Boolean> condition) {
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).until(() -> {
            vm.refresh();
            return condition.call();
        });
    }

    private static boolean health(FleetViewModel vm, String id, AgentHealth expected) {
        return row(vm, id).map(r -> r.healthProperty().get() == expected).orElse(false);
    }

    @Test
    void showsEachAgentWithItsPlacementReleaseHealthAndTheControlPlanesRates() throws Exception {
        FleetViewModel vm = new FleetViewModel(cluster.session(Role.VIEWER), TestCluster.directWork());
        long live = liveReleaseOfTwoOrMore();
        try (SimulatedAgent behind = new SimulatedAgent(cluster.zkConnect(), "sim-behind", "zone-c", "blue", live - 1)) {
            // polled once (its baseline) before it serves, so the calls below show as a rate
            refreshUntil(vm, () -> health(vm, "sim-behind", AgentHealth.UP) && health(vm, "agent-1", AgentHealth.UP));

            assertThat(vm.liveReleaseProperty().get()).isEqualTo(live);
            assertThat(vm.agents()).extracting(AgentRow::id).contains("agent-1", "agent-2", "sim-behind");
            AgentRow real = row(vm, "agent-1").orElseThrow();
            assertThat(real.zoneProperty().get()).isEqualTo("zone-a");
            assertThat(real.clusterProperty().get()).isEqualTo("blue");
            assertThat(real.appliedReleaseProperty().get()).isEqualTo(live);
            assertThat(real.releaseProperty().get()).isEqualTo(String.valueOf(live));
            assertThat(real.laggingProperty().get()).isFalse();
            assertThat(real.addressProperty().get()).isEqualTo("127.0.0.1:" + cluster.agents().get(0).adminPort());

            AgentRow lagging = row(vm, "sim-behind").orElseThrow();
            assertThat(lagging.laggingProperty().get()).isTrue();
            assertThat(lagging.releasesBehindProperty().get()).isEqualTo(1);
            assertThat(lagging.releaseProperty().get()).isEqualTo((live - 1) + "  (1 behind)");
            assertThat(vm.summaryProperty().get()).isEqualTo("Live release " + live + " · 3 agents · 1 lagging");

            behind.serve(1000, 10);
            refreshUntil(vm, () -> lagging.traffic().latestCalls() > 0);
            assertThat(row(vm, "sim-behind")).containsSame(lagging);
            assertThat(lagging.traffic().calls()).hasSameSizeAs(lagging.traffic().errors());
            // both rates are measured over the same interval by the control plane: their ratio is the counters'
            assertThat(lagging.traffic().latestErrors() / lagging.traffic().latestCalls()).isCloseTo(0.01, within(1e-9));
            assertThat(lagging.traffic().calls()).allSatisfy(p -> assertThat(p).isNotNegative());
            assertThat(vm.messageProperty().get()).isEmpty();

            behind.zookeeperConnected(false);
            refreshUntil(vm, () -> lagging.healthProperty().get() == AgentHealth.ZOOKEEPER_LOST);
        }
        vm.refresh();
        assertThat(vm.agents()).extracting(AgentRow::id).doesNotContain("sim-behind");
        assertThat(vm.summaryProperty().get()).endsWith("none lagging");
    }

    @Test
    void anAgentWhoseAdminPortDoesNotAnswerTheControlPlaneIsMarkedNotTheScreen() throws Exception {
        FleetViewModel vm = new FleetViewModel(cluster.session(Role.VIEWER), TestCluster.directWork());
        try (SimulatedAgent gone = new SimulatedAgent(cluster.zkConnect(), "sim-silent", "zone-c", "blue", 1)) {
            gone.closeAdminPort();
            vm.refresh();
            assertThat(row(vm, "sim-silent").orElseThrow().healthProperty().get())
                    .as("before the control plane's first poll of it").isIn(AgentHealth.UNKNOWN, AgentHealth.NO_ANSWER);
            refreshUntil(vm, () -> health(vm, "sim-silent", AgentHealth.NO_ANSWER));
            assertThat(row(vm, "sim-silent").orElseThrow().traffic().calls()).isEmpty();
            assertThat(row(vm, "agent-2").orElseThrow().healthProperty().get()).isEqualTo(AgentHealth.UP);
            assertThat(vm.messageProperty().get()).isEmpty();
        }
    }

    @Test
    void aLostControlPlaneIsAMessageAndTheRowsStayUntilItAnswersAgain() throws Exception {
        Session viewer = cluster.session(Role.VIEWER);
        try (TcpRelay relay = new TcpRelay(URI.create(cluster.url()).getPort())) {
            Session viaRelay = new Session(new ControlPlaneClient(URI.create(relay.url()), TestCluster.ADMIN_TOKEN,
                    Duration.ofMillis(500), Duration.ofSeconds(2)), viewer.operator());
            FleetViewModel vm = new FleetViewModel(viaRelay, TestCluster.directWork());
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

package io.topaz.console.traffic;

import io.topaz.console.SimulatedAgent;
import io.topaz.console.TcpRelay;
import io.topaz.console.TestCluster;
import io.topaz.console.common.Session;
import io.topaz.console.controlplane.ControlPlaneClient;
import io.topaz.console.controlplane.Role;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The traffic screen's view-model against the test cluster, whose control plane polls the agents every 500 ms;
 * simulated agents serve the traffic counters. Rule ids are this class's own: the cluster is shared.
 */
class TrafficViewModelTest {

    private final TestCluster cluster = TestCluster.get();

    private static Optional<RuleRow> row(TrafficViewModel vm, String kind, String rule) {
        return vm.rules().stream().filter(r -> r.kind().equals(kind) && r.rule().equals(rule)).findFirst();
    }

    /** Refreshes until the condition holds: the control plane's own poll decides when the numbers change. */
    private static void refreshUntil(TrafficViewModel vm, java.util.concurrent.Callable<Boolean> condition) {
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).until(() -> {
            vm.refresh();
            return condition.call();
        });
    }

    @Test
    void showsEachRulesRatesSummedOverAgentsAndChartsTheSelectedOne() throws Exception {
        TrafficViewModel vm = new TrafficViewModel(cluster.session(Role.VIEWER), TestCluster.directWork());
        try (SimulatedAgent a = new SimulatedAgent(cluster.zkConnect(), "sim-traffic-a", "zone-c", "blue", 1);
             SimulatedAgent b = new SimulatedAgent(cluster.zkConnect(), "sim-traffic-b", "zone-c", "blue", 1)) {
            a.decisions("flow", "vm-item-get", 1000, 10);
            b.decisions("flow", "vm-item-get", 500, 0);
            b.decisions("quota", "vm-app-daily", 7, 3);
            b.fallbackActive("quota", "vm-app-daily", true);
            refreshUntil(vm, () -> row(vm, "flow", "vm-item-get")
                    .filter(r -> r.passedTotalProperty().get() == 1500).isPresent());
            RuleRow flow = row(vm, "flow", "vm-item-get").orElseThrow();
            assertThat(flow.blockedTotalProperty().get()).isEqualTo(10.0);
            assertThat(flow.agentsInFallbackProperty().get()).isZero();
            refreshUntil(vm, () -> row(vm, "quota", "vm-app-daily").isPresent());
            assertThat(row(vm, "quota", "vm-app-daily").orElseThrow().agentsInFallbackProperty().get()).isEqualTo(1);
            assertThat(vm.rules().indexOf(flow)).isLessThan(vm.rules().indexOf(row(vm, "quota", "vm-app-daily").orElseThrow()));
            assertThat(vm.summaryProperty().get()).matches("\\d+ rules · \\d+ of \\d+ agents reporting.*");
            assertThat(vm.messageProperty().get()).isEmpty();

            vm.select(flow);
            assertThat(vm.chartTitleProperty().get()).isEqualTo("Passed and blocked per second · flow rule vm-item-get");
            a.steadyTraffic("flow", "vm-item-get", 400, 40);
            refreshUntil(vm, () -> flow.passedPerSecondProperty().get() > 0 && flow.blockedPerSecondProperty().get() > 0);
            assertThat(row(vm, "flow", "vm-item-get")).containsSame(flow);
            refreshUntil(vm, () -> vm.chart().stream().anyMatch(p -> p.passedPerSecond() > 0));
            assertThat(vm.chart().get(vm.chart().size() - 1).secondsAgo()).isZero();
            assertThat(vm.chart()).allSatisfy(p -> assertThat(p.secondsAgo()).isLessThanOrEqualTo(0));
        }
        // both agents left the fleet: nobody reports the rules any more, and the chart lets go of its rule
        refreshUntil(vm, () -> row(vm, "flow", "vm-item-get").isEmpty());
        assertThat(row(vm, "quota", "vm-app-daily")).isEmpty();
        assertThat(vm.selectedProperty().get()).isNull();
        assertThat(vm.chart()).isEmpty();
    }

    @Test
    void aLostControlPlaneIsAMessageAndTheRowsStay() throws Exception {
        Session viewer = cluster.session(Role.VIEWER);
        try (TcpRelay relay = new TcpRelay(URI.create(cluster.url()).getPort());
             SimulatedAgent a = new SimulatedAgent(cluster.zkConnect(), "sim-traffic-lost", "zone-c", "blue", 1)) {
            a.decisions("overload", "vm-low", 5, 95);
            Session viaRelay = new Session(new ControlPlaneClient(URI.create(relay.url()), TestCluster.ADMIN_TOKEN,
                    Duration.ofMillis(500), Duration.ofSeconds(2)), viewer.operator());
            TrafficViewModel vm = new TrafficViewModel(viaRelay, TestCluster.directWork());
            refreshUntil(vm, () -> row(vm, "overload", "vm-low").isPresent());
            int rows = vm.rules().size();

            relay.cut();
            vm.refresh();
            assertThat(vm.messageProperty().get()).startsWith("Cannot load the traffic rates: cannot reach the control plane");
            assertThat(vm.loadingProperty().get()).isFalse();
            assertThat(vm.rules()).hasSize(rows);

            relay.restore();
            vm.refresh();
            assertThat(vm.messageProperty().get()).isEmpty();
        }
    }
}

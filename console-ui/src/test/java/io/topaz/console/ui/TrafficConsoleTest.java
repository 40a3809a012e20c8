package io.topaz.console.ui;

import io.topaz.console.SimulatedAgent;
import io.topaz.console.controlplane.Role;
import io.topaz.console.traffic.RuleRow;
import io.topaz.console.traffic.TrafficViewModel;
import javafx.scene.chart.LineChart;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import java.io.IOException;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A viewer opens the Traffic screen: the seeded flow and quota rules' live rates (two simulated agents serving the
 * traffic counters, one of them in Redis fallback for the quota rule) and the chart of the first rule fill in.
 */
@ExtendWith(ApplicationExtension.class)
class TrafficConsoleTest extends ConsoleFxTest {

    @Start
    void start(Stage stage) throws IOException {
        start(stage, Optional.empty());
    }

    @SuppressWarnings("unchecked")
    private TableView<RuleRow> table() {
        return (TableView<RuleRow>) (TableView<?>) node("#trafficTable");
    }

    private Optional<RuleRow> row(String kind, String rule) {
        return table().getItems().stream().filter(r -> r.kind().equals(kind) && r.rule().equals(rule)).findFirst();
    }

    @Test
    void aViewerSeesEachRulesRatesAndAChartOfTheSelectedOne() throws Exception {
        try (SimulatedAgent a = new SimulatedAgent(cluster.zkConnect(), "agent-7-traffic", "zone-c", "blue", 1);
             SimulatedAgent b = new SimulatedAgent(cluster.zkConnect(), "agent-8-traffic", "zone-c", "green", 1)) {
            a.steadyTraffic("flow", "time-get-qps", 430, 45);
            b.steadyTraffic("flow", "time-get-qps", 390, 30);
            a.steadyTraffic("quota", "demo-app-trade-daily", 55, 0);
            b.steadyTraffic("quota", "demo-app-trade-daily", 48, 6);
            b.fallbackActive("quota", "demo-app-trade-daily", true);
            a.steadyTraffic("overload", "critical", 120, 0);
            a.steadyTraffic("overload", "low", 40, 25);

            signIn(cluster.url(), cluster.token(Role.VIEWER));
            show("traffic");
            waitUntil("the traffic screen shows", () -> present("#trafficScreen"));
            waitUntil("the flow rule has rates", () -> row("flow", "time-get-qps")
                    .filter(r -> r.passedPerSecondProperty().get() > 0 && r.blockedPerSecondProperty().get() > 0)
                    .isPresent());
            waitUntil("the quota rule shows its agent in fallback", () -> row("quota", "demo-app-trade-daily")
                    .filter(r -> r.agentsInFallbackProperty().get() == 1).isPresent());
            assertThat(table().getItems()).extracting(RuleRow::kind).startsWith("flow");

            TrafficViewModel vm = console.main().traffic();
            waitUntil("the first rule is charted", () -> vm.selectedProperty().get() != null
                    && vm.selectedProperty().get().rule().equals("time-get-qps"));
            waitUntil("the chart has points", () -> vm.chart().size() >= 16);
            LineChart<?, ?> chart = node("#trafficChart");
            assertThat(chart.getData()).hasSize(2);
            assertThat(chart.getData().get(0).getData()).hasSize(vm.chart().size());
            assertThat(chart.getTitle()).isEqualTo("Passed and blocked per second · flow rule time-get-qps");
            assertThat(text("#trafficSummary")).contains("agents reporting");
            assertThat(lookup("none").tryQuery()).as("a rule with no agent in fallback").isPresent();
            screenshot("traffic");
        }
    }
}

package io.topaz.console.ui;

import io.topaz.agent.TopazAgent;
import io.topaz.console.SimulatedAgent;
import io.topaz.console.TcpRelay;
import io.topaz.console.controlplane.AuditEvent;
import io.topaz.console.controlplane.Role;
import io.topaz.console.fleet.AgentRow;
import io.topaz.model.config.FlowRule;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.css.PseudoClass;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An operator's day in the real window: sign in, see the fleet, edit a flow rule through a validation error from the
 * control plane, publish, and watch both agents apply the release; the audit log shows it. Also: losing the control
 * plane raises the banner, which clears by itself.
 */
@ExtendWith(ApplicationExtension.class)
class OperatorConsoleTest extends ConsoleFxTest {

    @Start
    void start(Stage stage) throws IOException {
        start(stage, Optional.empty());
    }

    @SuppressWarnings("unchecked")
    private TableView<AgentRow> fleetTable() {
        return (TableView<AgentRow>) (TableView<?>) node("#fleetTable");
    }

    @Test
    void editAFlowRuleThroughAValidationErrorThenPublishAndWatchBothAgentsApplyIt() throws Exception {
        String token = cluster.token(Role.OPERATOR);
        long live = cluster.client(token).fleet().liveRelease();
        screenshot("sign-in");
        try (SimulatedAgent behind = new SimulatedAgent(cluster.zkConnect(), "agent-9-old", "zone-c", "green", live - 1)) {
            behind.busy();
            signIn(cluster.url(), token);
            assertThat(text("#signedInAs")).startsWith("Signed in as operator-").contains("(OPERATOR) at " + cluster.url());

            // The fleet: both agents current, the simulated one lagging, its sparkline filling.
            waitUntil("three agents are listed", () -> fleetTable().getItems().size() == 3);
            AgentRow lagging = fleetTable().getItems().stream().filter(r -> r.id().equals("agent-9-old")).findFirst().orElseThrow();
            assertThat(lagging.laggingProperty().get()).isTrue();
            waitUntil("the lagging agent's sparkline has points", () -> lagging.traffic().calls().size() >= 8);
            assertThat(lagging.traffic().latestCalls()).isPositive();
            interact(() -> fleetTable().getSelectionModel().select(lagging));
            assertThat(text("#fleetSummary")).isEqualTo("Live release " + live + " · 3 agents · 1 lagging");
            List<Node> standOut = lookup(".table-row-cell").queryAll().stream()
                    .filter(r -> r.getPseudoClassStates().contains(PseudoClass.getPseudoClass("lagging"))).toList();
            assertThat(standOut).as("rows that stand out").singleElement()
                    .satisfies(r -> assertThat(((TableRow<?>) r).getItem()).isSameAs(lagging));
            assertThat(lookup(".sparkline-calls").<Node>queryAll()).as("a sparkline per agent").hasSize(3).allSatisfy(line -> {
                var table = fleetTable().localToScene(fleetTable().getBoundsInLocal());
                assertThat(table.contains(line.localToScene(line.getBoundsInLocal()))).as("drawn inside the table").isTrue();
            });
            screenshot("fleet");
        }
        waitUntil("the simulated agent left the fleet", () -> fleetTable().getItems().size() == 2);

        // Edit the flow rule: the control plane's own error appears beside the QPS field.
        show("flow-rules");
        waitUntil("the flow rules are listed", () -> present("#entries") && lookup("time-get-qps").tryQuery().isPresent());
        clickOn("time-get-qps");
        waitUntil("the editor opens", () -> present("#editor") && text("#editorTitle").startsWith("Flow rule 'time-get-qps'"));
        replaceText("#field-qps", "0");
        clickOn("#save");
        waitUntil("the error shows beside the QPS field", () -> node("#error-qps").isVisible());
        assertThat(text("#error-qps")).isEqualTo("qps must be between 1 and 10000000, was 0");
        Node field = node("#field-qps");
        Label error = node("#error-qps");
        assertThat(error.getParent()).as("the error sits with its field").isSameAs(field.getParent());
        assertThat(field.getParent().getChildrenUnmodifiable().indexOf(error))
                .isEqualTo(field.getParent().getChildrenUnmodifiable().indexOf(field) + 1);
        assertThat(text("#editorMessage")).isEqualTo("The control plane refused this flow rule: see the fields marked in red.");
        screenshot("flow-rule-validation");

        replaceText("#field-qps", "500");
        assertThat(node("#error-qps").isVisible()).as("editing clears the error").isFalse();
        clickOn("#save");
        waitUntil("the save is confirmed", () -> text("#configNotice").startsWith("Saved flow rule 'time-get-qps'"));
        assertThat(present("#editor")).isFalse();

        // Publish it and watch the rollout.
        show("releases");
        waitUntil("the change is in the diff", () -> lookup("time-get-qps").tryQuery().isPresent());
        clickOn("time-get-qps");
        assertThat(text("#changeDetail")).startsWith("MODIFIED flow-rules 'time-get-qps'").contains("qps: ").contains("→ 500");
        assertThat(node("#publish").isDisabled()).as("no message yet").isTrue();
        replaceText("#publishMessage", "Lower the time API's QPS limit to 500");
        waitUntil("Publish is enabled", () -> !node("#publish").isDisabled());
        clickOn("#publish");
        waitUntil("the confirmation shows", () -> lookup(".dialog-pane").tryQuery().isPresent());
        assertThat(((javafx.scene.control.DialogPane) node(".dialog-pane")).getContentText())
                .startsWith("Publish 1 change to every agent as a new release?");
        clickOn((Node) lookup(".dialog-pane .button").match(n -> "Publish".equals(((javafx.scene.control.Button) n).getText())).query());
        waitUntil("both agents applied the release",
                () -> present("#rolloutSummary") && text("#rolloutSummary").contains("all 2 agents applied it"));
        long published = cluster.client(token).fleet().liveRelease();
        assertThat(published).isGreaterThan(live);
        for (TopazAgent agent : cluster.agents()) {
            assertThat(agent.appliedRelease()).isGreaterThanOrEqualTo(published);
            FlowRule rule = agent.snapshot().flowRules().get("time-get-qps");
            assertThat(rule.qps()).isEqualTo(500);
        }
        screenshot("releases");

        // The audit log has the update and the publish, by this operator.
        show("audit");
        String me = text("#signedInAs").replaceFirst("Signed in as (\\S+) .*", "$1");
        replaceText("#auditActor", me);
        clickOn("#auditSearch");
        @SuppressWarnings("unchecked")
        TableView<AuditEvent> audit = (TableView<AuditEvent>) (TableView<?>) node("#auditTable");
        // The refused save changed nothing, so it is not in the log.
        waitUntil("the operator's events are listed", () -> audit.getItems().size() == 2);
        assertThat(audit.getItems()).extracting(AuditEvent::action).containsExactly("PUBLISH", "UPDATE");
        interact(() -> audit.getSelectionModel().select(1));
        assertThat(text("#auditDetail")).contains("time-get-qps").contains("\"qps\" : 500");
        screenshot("audit");
    }

    @Test
    void aLostControlPlaneShowsABannerThatClearsWhenItAnswersAgain() throws Exception {
        try (TcpRelay relay = new TcpRelay(URI.create(cluster.url()).getPort())) {
            signIn(relay.url(), cluster.token(Role.OPERATOR));
            show("apis");
            waitUntil("the APIs are listed", () -> lookup("taobao.trade.get").tryQuery().isPresent());
            assertThat(node("#connectionBanner").isVisible()).isFalse();

            relay.cut();
            waitUntil("the banner shows", () -> node("#connectionBanner").isVisible());
            assertThat(((Label) lookup("#connectionBanner .label").query()).getText())
                    .startsWith("Lost the control plane: cannot reach the control plane at " + relay.url());
            assertThat(lookup("taobao.trade.get").tryQuery()).as("the screen keeps what it showed").isPresent();
            screenshot("connection-lost");

            relay.restore();
            waitUntil("the banner clears by itself", () -> !node("#connectionBanner").isVisible());
        }
    }
}

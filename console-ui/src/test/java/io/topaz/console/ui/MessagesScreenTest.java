package io.topaz.console.ui;

import io.topaz.console.SimulatedBroker;
import io.topaz.console.controlplane.Role;
import io.topaz.console.messages.AppRow;
import io.topaz.console.messages.ConnectionRow;
import io.topaz.console.messages.DeadLetterRow;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.DialogPane;
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
 * The Messages screen against the shared test cluster's control plane and simulated broker agents (one answering, one
 * registered but not answering): per-app backlog and rates fill in, the chosen app's dead letters page, and an
 * operator replays and purges selected ones after confirming; a viewer only looks.
 */
@ExtendWith(ApplicationExtension.class)
class MessagesScreenTest extends ConsoleFxTest {

    @Start
    void start(Stage stage) throws IOException {
        start(stage, Optional.empty());
    }

    @SuppressWarnings("unchecked")
    private TableView<AppRow> apps() {
        return (TableView<AppRow>) (TableView<?>) node("#messageAppsTable");
    }

    @SuppressWarnings("unchecked")
    private TableView<DeadLetterRow> letters() {
        return (TableView<DeadLetterRow>) (TableView<?>) node("#deadLettersTable");
    }

    private Optional<AppRow> app(String key) {
        return apps().getItems().stream().filter(r -> r.app().equals(key)).findFirst();
    }

    private void answerDialog(String button) {
        waitUntil("the confirmation shows", () -> present(".dialog-pane"));
        clickOn((Node) lookup(".dialog-pane .button").match(n -> button.equals(((Button) n).getText())).query());
        waitUntil("the confirmation closes", () -> !present(".dialog-pane"));
    }

    @Test
    void anOperatorSeesEachAppsQueuesAndReplaysAndPurgesDeadLetters() throws Exception {
        try (SimulatedBroker broker = new SimulatedBroker(cluster.zkConnect(), "agent-9-broker", cluster.url())
                .queue("shop-a/default").queue("shop-a/vip").queue("shop-b/default")
                .deadLetters("shop-a/default", 1000, 60);
             SimulatedBroker silent = new SimulatedBroker(cluster.zkConnect(), "agent-10-broker", cluster.url())) {
            silent.stopBrokerPort();

            signIn(cluster.url(), cluster.token(Role.OPERATOR));
            show("messages");
            waitUntil("the messages screen shows", () -> present("#messagesScreen"));
            waitUntil("shop-a's queues are summed", () -> app("shop-a")
                    .filter(r -> r.queuesProperty().get() == 2 && r.backlogProperty().get() > 2400).isPresent());
            waitUntil("shop-a's rates are measured", () -> app("shop-a")
                    .filter(r -> r.redeliveredPerSecondProperty().get() > 0 && r.deadLetteredPerSecondProperty().get() > 0)
                    .isPresent());
            assertThat(app("shop-a").orElseThrow().deadLettersProperty().get()).isEqualTo(60);
            assertThat(app("shop-a").orElseThrow().inFlightProperty().get()).isEqualTo(80);
            assertThat(apps().getItems()).extracting(AppRow::app).containsExactly("shop-a", "shop-b");
            assertThat(text("#messagesWarning")).contains("agent-10-broker");
            assertThat(text("#messagesSummary")).contains("2 apps", "1 of 2 broker agents answering");

            interact(() -> apps().getSelectionModel().select(app("shop-a").orElseThrow()));
            // waits for the last thing a page's answer sets (the page line), then reads the rest
            waitUntil("the first page of dead letters shows", () -> text("#deadLettersPage")
                    .equals("Page 1 of 2 · 60 dead letters"));
            assertThat(letters().getItems()).hasSize(50);
            assertThat(text("#deadLettersTitle")).isEqualTo("Dead letters of shop-a");
            DeadLetterRow newest = letters().getItems().get(0);
            assertThat(newest.id()).isEqualTo(1000);
            assertThat(newest.topic()).isEqualTo("taobao_trade_TradeChanged");
            assertThat(newest.seller()).isEqualTo("demo-seller-0 (3000000000)");
            assertThat(newest.attempts()).isEqualTo(16);
            assertThat(newest.reason()).isEqualTo("MAX_ATTEMPTS");
            assertThat(newest.preview()).startsWith("{\"tid\":70001000,");
            assertThat(node("#deadLettersPrevious").isDisabled()).isTrue();

            clickOn("#deadLettersNext");
            waitUntil("the second page shows", () -> text("#deadLettersPage").equals("Page 2 of 2 · 60 dead letters"));
            assertThat(letters().getItems()).hasSize(10);
            assertThat(node("#deadLettersNext").isDisabled()).isTrue();
            clickOn("#deadLettersPrevious");
            waitUntil("the first page shows again", () -> text("#deadLettersPage").startsWith("Page 1 of 2")
                    && letters().getItems().size() == 50);

            interact(() -> letters().getSelectionModel().selectIndices(0, 1));
            screenshot("messages");
            clickOn("#replayDeadLetters");
            assertThat(((DialogPane) node(".dialog-pane")).getContentText()).contains("Replay 2 dead letters of shop-a");
            answerDialog("Replay");
            waitUntil("the replay is reported", () -> text("#deadLettersStatus")
                    .startsWith("Replayed 2 of 2 dead letters of shop-a."));
            assertThat(text("#deadLettersStatus")).as("the agent that did not answer is named")
                    .endsWith("Not done on agent-10-broker, which did not answer: try again when it is back.");
            assertThat(broker.replayed()).containsExactlyInAnyOrder(1000L, 1001L);
            waitUntil("the page reloads without them", () -> text("#deadLettersPage").endsWith("58 dead letters"));

            interact(() -> letters().getSelectionModel().clearAndSelect(0));
            clickOn("#purgeDeadLetters");
            answerDialog("Cancel");
            assertThat(broker.deadLetterCount()).as("cancelled: nothing purged").isEqualTo(58);
            clickOn("#purgeDeadLetters");
            assertThat(((DialogPane) node(".dialog-pane")).getContentText()).contains("Purge dead letter 1002 of shop-a");
            answerDialog("Purge");
            waitUntil("the purge is reported", () -> text("#deadLettersStatus")
                    .startsWith("Purged 1 of 1 dead letter of shop-a."));
            assertThat(broker.deadLetterCount()).isEqualTo(57);
            assertThat(cluster.client(cluster.token(Role.VIEWER)).audit(new io.topaz.console.controlplane.AuditFilter(
                    null, null, "dead-letters", "shop-a", null, null), 0, 10))
                    .extracting(e -> e.action()).containsExactly("DEAD_LETTER_PURGE", "DEAD_LETTER_REPLAY");
            assertThat(present("#disconnectPushConnection")).as("disconnecting is for admins").isFalse();
        }
    }

    @SuppressWarnings("unchecked")
    private TableView<ConnectionRow> connections() {
        return (TableView<ConnectionRow>) (TableView<?>) node("#pushConnectionsTable");
    }

    @Test
    void anAdminSeesThePushConnectionsAndDisconnectsOne() throws Exception {
        try (SimulatedBroker broker = new SimulatedBroker(cluster.zkConnect(), "agent-12-broker", cluster.url())
                .queue("shop-p/default").connection("7", "shop-p", "default", 3, 120, 117)
                .connection("8", "shop-p", "vip", 0, 5, 5)) {
            signIn(cluster.url(), cluster.token(Role.ADMIN));
            show("messages");
            waitUntil("the connections show", () -> connections().getItems().stream()
                    .filter(r -> r.agentId().equals("agent-12-broker")).count() == 2);
            ConnectionRow seven = connections().getItems().stream().filter(r -> r.key().equals("agent-12-broker/7"))
                    .findFirst().orElseThrow();
            assertThat(seven.app()).isEqualTo("shop-p");
            assertThat(seven.group()).isEqualTo("default");
            assertThat(seven.remote()).isEqualTo("/192.0.2.10:47");
            assertThat(seven.inFlight()).isEqualTo(3);
            assertThat(seven.pushed()).isEqualTo(120);
            assertThat(seven.confirmed()).isEqualTo(117);
            assertThat(text("#pushConnectionsTitle")).startsWith("Push connections · ");

            interact(() -> connections().getSelectionModel().select(seven));
            screenshot("messages-connections");
            clickOn("#disconnectPushConnection");
            assertThat(((DialogPane) node(".dialog-pane")).getContentText())
                    .contains("Disconnect shop-p (default) from agent-12-broker?", "3 unconfirmed messages");
            answerDialog("Disconnect");
            waitUntil("the disconnect is reported", () -> text("#pushConnectionsStatus")
                    .startsWith("Disconnected shop-p (default) on agent-12-broker"));
            assertThat(broker.disconnected()).containsExactly("7");
            waitUntil("the list reloads without it", () -> connections().getItems().stream()
                    .noneMatch(r -> r.key().equals("agent-12-broker/7")));
            assertThat(cluster.client(cluster.token(Role.VIEWER)).audit(new io.topaz.console.controlplane.AuditFilter(
                    null, null, "push-connections", "agent-12-broker/7", null, null), 0, 10))
                    .extracting(e -> e.action()).containsExactly("PUSH_DISCONNECT");
        }
    }

    @Test
    void aViewerSeesTheQueuesAndDeadLettersButCannotReplayOrPurge() throws Exception {
        try (SimulatedBroker broker = new SimulatedBroker(cluster.zkConnect(), "agent-11-broker", cluster.url())
                .queue("shop-v/default").deadLetters("shop-v/default", 5000, 3)) {
            signIn(cluster.url(), cluster.token(Role.VIEWER));
            show("messages");
            waitUntil("shop-v shows", () -> app("shop-v").isPresent());
            interact(() -> apps().getSelectionModel().select(app("shop-v").orElseThrow()));
            waitUntil("its dead letters show", () -> text("#deadLettersPage").equals("Page 1 of 1 · 3 dead letters"));
            assertThat(letters().getItems()).hasSize(3);
            assertThat(present("#replayDeadLetters")).isFalse();
            assertThat(present("#purgeDeadLetters")).isFalse();
            assertThat(present("#disconnectPushConnection")).isFalse();
            assertThat(broker.deadLetterCount()).isEqualTo(3);
        }
    }
}

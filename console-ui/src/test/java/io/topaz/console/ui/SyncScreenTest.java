package io.topaz.console.ui;

import io.topaz.console.SimulatedAgent;
import io.topaz.console.controlplane.ControlPlaneClient;
import io.topaz.console.controlplane.Role;
import io.topaz.console.controlplane.SyncStatus;
import io.topaz.console.sync.SyncRow;
import io.topaz.console.TestCluster;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Sync screen against the shared test cluster's control plane and a simulated agent serving the sync engine's
 * {@code GET /sync}: the published target shows with its password state, the running group with its holder, lag,
 * merge ratio, counters, repairs and backfill, the other group as not running; an admin starts a full reconciliation
 * of the running group after confirming, and it reaches the holder.
 */
@ExtendWith(ApplicationExtension.class)
class SyncScreenTest extends ConsoleFxTest {

    private static final String STATUS = """
            {"groups":[{"target":"screen-erp","group":"screen-g1","holder":"agent-sync-1","epoch":3,
              "lagP50Millis":45,"lagP99Millis":1250,"messages":900,"sourceReads":300,"mergeRatio":1.5,"readsSaved":300,"writes":280,"skipped":20,
              "repairs":{"missed_message":4,"lost_write":1,"late_message":2},
              "backfill":{"state":"running","copied":5000},"lastReconcile":"2026-12-06T09:00:00Z","errors":1,
              "lastError":"target refused a connection"}]}""";

    @Start
    void start(Stage stage) throws IOException {
        start(stage, Optional.empty());
    }

    @SuppressWarnings("unchecked")
    private TableView<SyncRow> groups() {
        return (TableView<SyncRow>) (TableView<?>) node("#syncGroupsTable");
    }

    @SuppressWarnings("unchecked")
    private TableView<SyncStatus.Target> targets() {
        return (TableView<SyncStatus.Target>) (TableView<?>) node("#syncTargetsTable");
    }

    private Optional<SyncRow> row(String group) {
        return groups().getItems().stream().filter(r -> r.group().equals(group)).findFirst();
    }

    /** A target over two seller groups of its own (buckets no other test uses), its app, published. */
    private void publishTarget() {
        ControlPlaneClient admin = cluster.client(TestCluster.ADMIN_TOKEN);
        if (admin.list("sync-targets").stream().anyMatch(i -> i.key().equals("screen-erp"))) {
            return;
        }
        admin.createApp(Map.of("appKey", "screen-erp-app", "name", "Screen ERP", "owner", "isv",
                "allowedApiGroups", List.of()));
        admin.create("seller-groups", Map.of("name", "screen-g1", "bucketFrom", 900, "bucketTo", 950));
        admin.create("seller-groups", Map.of("name", "screen-g2", "bucketFrom", 950, "bucketTo", 1000));
        admin.create("sync-targets", Map.of("name", "screen-erp", "appKey", "screen-erp-app",
                "jdbcUrl", "jdbc:postgresql://127.0.0.1:5432/screen_jdp", "user", "jdp",
                "sellerGroups", List.of("screen-g1", "screen-g2")));
        cluster.awaitApplied(admin.publish(admin.diff().draftRevision(), "sync screen target", null).number());
    }

    @Test
    void anAdminSeesEachGroupsSyncAndStartsAFullReconciliation() throws Exception {
        publishTarget();
        try (SimulatedAgent agent = new SimulatedAgent(cluster.zkConnect(), "agent-sync-1", "zone-a", "blue", 0)
                .syncStatus(STATUS)) {
            signIn(cluster.url(), TestCluster.ADMIN_TOKEN);
            show("sync");
            waitUntil("the sync screen shows", () -> present("#syncScreen"));
            waitUntil("the running group shows", () -> row("screen-g1").filter(SyncRow::running).isPresent());

            SyncStatus.Target target = targets().getItems().stream().filter(t -> t.name().equals("screen-erp"))
                    .findFirst().orElseThrow();
            assertThat(target.appKey()).isEqualTo("screen-erp-app");
            assertThat(target.passwordSet()).isFalse();
            SyncRow g1 = row("screen-g1").orElseThrow();
            assertThat(g1.holder()).isEqualTo("agent-sync-1 (epoch 3)");
            assertThat(g1.lag()).isEqualTo("45 ms / 1.3 s");
            assertThat(g1.mergeRatio()).isEqualTo("1.50");
            assertThat(g1.readsSaved()).as("1 - 300 reads / 900 messages").isEqualTo("66.7 %");
            assertThat(g1.sourceReads()).isEqualTo(300);
            assertThat(g1.writes()).isEqualTo(280);
            assertThat(g1.skipped()).isEqualTo(20);
            assertThat(g1.repairs()).isEqualTo("missed 4 · lost 1 · late 2");
            assertThat(g1.backfill()).isEqualTo("running · 5000 copied");
            assertThat(g1.lastReconcile()).isEqualTo("2026-12-06 09:00:00");
            assertThat(g1.errors()).isEqualTo(1);
            assertThat(g1.lastError()).isEqualTo("target refused a connection");
            SyncRow g2 = row("screen-g2").orElseThrow();
            assertThat(g2.running()).isFalse();
            assertThat(g2.holder()).isEqualTo("not running");
            assertThat(text("#syncSummary")).contains("1 sync target").contains("1 of 2 groups running");

            interact(() -> groups().getSelectionModel().select(row("screen-g1").orElseThrow()));
            screenshot("sync");
            clickOn("#reconcileGroup");
            waitUntil("the confirmation shows", () -> present(".dialog-pane"));
            assertThat(((DialogPane) node(".dialog-pane")).getContentText())
                    .contains("full reconciliation of seller group screen-g1 of screen-erp");
            clickOn((Node) lookup(".dialog-pane .button").match(n -> "Reconcile".equals(((Button) n).getText())).query());
            waitUntil("the reconciliation is reported", () -> text("#syncStatus")
                    .startsWith("Full reconciliation of screen-g1 (screen-erp) started on agent-sync-1."));
            assertThat(agent.reconciles()).singleElement()
                    .satisfies(b -> assertThat(b).contains("\"target\":\"screen-erp\"").contains("\"group\":\"screen-g1\""));
        }
    }
}

package io.topaz.console.ui;

import io.topaz.console.PlacementJson;
import io.topaz.console.PlacementServer;
import io.topaz.console.TestCluster;
import io.topaz.console.controlplane.ControlPlaneClient;
import io.topaz.console.controlplane.Role;
import io.topaz.console.placement.PlacementNode;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.TextArea;
import javafx.scene.control.TreeView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
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
 * The Placement screen, signed in through the in-process placement API in front of the shared test cluster's control
 * plane: the tree shows clusters, zones, agents and groups; an operator drags a group onto another agent (a move, and
 * its handover completes on screen), then onto another cluster (its assignment, published after the confirmation);
 * a viewer finds no action.
 */
@ExtendWith(ApplicationExtension.class)
class PlacementScreenTest extends ConsoleFxTest {

    private PlacementServer server;

    @Start
    void start(Stage stage) throws IOException {
        server = new PlacementServer(cluster.url());
        start(stage, Optional.empty());
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    /** The fixture's g1 as ui-g1, a group of this test's own (buckets [500, 550)), published on cluster blue. */
    private static String placement(String agent, boolean holding) {
        return PlacementJson.of(agent, holding).replace("\"g1\"", "\"ui-g1\"");
    }

    private void publishGroup() {
        ControlPlaneClient admin = cluster.client(TestCluster.ADMIN_TOKEN);
        if (admin.list("seller-groups").stream().anyMatch(i -> i.key().equals("ui-g1"))) {
            return;
        }
        admin.create("seller-groups", Map.of("name", "ui-g1", "bucketFrom", 500, "bucketTo", 550));
        admin.create("assignments", Map.of("sellerGroup", "ui-g1", "cluster", "blue"));
        cluster.awaitApplied(admin.publish(admin.diff().draftRevision(), "placement screen group", null).number());
    }

    @SuppressWarnings("unchecked")
    private TreeView<PlacementNode> tree() {
        return (TreeView<PlacementNode>) (TreeView<?>) node("#placementTree");
    }

    @Test
    void anOperatorDragsAGroupOntoAnotherAgentThenOntoAnotherCluster() throws Exception {
        publishGroup();
        server.placement(placement("agent-1", true));
        signIn(server.url(), cluster.token(Role.OPERATOR));
        show("placement");
        waitUntil("the tree shows ui-g1 on agent-1", () -> present("#placement-group_blue_ui-g1")
                && present("#placement-agent_blue_agent-3"));
        assertThat(text("#placementSummary")).isEqualTo("2 clusters · 3 live agents · 3 groups placed · 1 unplaced · leader cp-1");
        assertThat(tree().getRoot().getChildren()).extracting(i -> i.getValue().title()).containsExactly("blue", "green");
        clickOn("#placement-group_blue_ui-g1");
        waitUntil("the group's detail shows", () -> text("#groupDetail").startsWith("ui-g1 · buckets [0, 512)"));
        assertThat(lookup("1001 shop-a 80.0 changes/s").tryQuery()).isPresent();
        screenshot("placement");

        server.afterMove(placement("agent-3", false)).moveAnswers(200, """
                {"group":"ui-g1","cluster":"blue","agent":"agent-3","sinceMillis":1,"previousAgent":"agent-1",
                 "reason":"operator","generation":2}""");
        drag("#placement-group_blue_ui-g1").dropTo("#placement-agent_blue_agent-3");
        waitUntil("the move is sent", () -> server.moves().contains("ui-g1 <- {\"agent\":\"agent-3\"}"));
        waitUntil("the handover shows", () -> text("#placementStatus")
                .equals("Moving ui-g1 from agent-1 to agent-3: waiting for agent-3 to hold it…"));
        server.placement(placement("agent-3", true));
        waitUntil("the handover completes on screen", () -> text("#placementStatus")
                .equals("Handover done: agent-3 holds ui-g1."));
        assertThat(server.moves()).hasSize(1);

        long before = cluster.client(TestCluster.ADMIN_TOKEN).releases(1).get(0).number();
        drag("#placement-group_blue_ui-g1").dropTo("#placement-cluster_green");
        waitUntil("the confirmation shows", () -> present("#placementPlan"));
        assertThat(this.<TextArea>node("#placementPlan").getText())
                .startsWith("• assignments 'ui-g1': cluster blue → green");
        screenshot("placement-cluster-move", node("#placementPlan").getScene().getRoot());
        replaceText("#placementReleaseMessage", "ui-g1 to green");
        clickOn((Node) lookup(".dialog-pane .button").match(n -> "Publish".equals(((Button) n).getText())).query());
        waitUntil("the release is reported", () -> text("#placementStatus").startsWith("Published release "));
        var release = cluster.client(TestCluster.ADMIN_TOKEN).releases(1).get(0);
        assertThat(release.number()).isGreaterThan(before);
        assertThat(release.message()).isEqualTo("ui-g1 to green");
        assertThat(cluster.client(TestCluster.ADMIN_TOKEN).list("assignments").stream()
                .filter(i -> i.key().equals("ui-g1")).findFirst().orElseThrow().value().get("cluster")).isEqualTo("green");
        assertThat(text("#placementMessage")).isEmpty();
    }

    /** ui-g2, buckets [550, 600) on blue, shown where the fixture's g2 is (on agent-3, zone-b). */
    private void publishSecondGroup() {
        ControlPlaneClient admin = cluster.client(TestCluster.ADMIN_TOKEN);
        if (admin.list("seller-groups").stream().anyMatch(i -> i.key().equals("ui-g2"))) {
            return;
        }
        admin.create("seller-groups", Map.of("name", "ui-g2", "bucketFrom", 550, "bucketTo", 600));
        admin.create("assignments", Map.of("sellerGroup", "ui-g2", "cluster", "blue"));
        cluster.awaitApplied(admin.publish(admin.diff().draftRevision(), "placement screen group 2", null).number());
    }

    private void publishTheReviewedPlan(String message) {
        waitUntil("the confirmation shows", () -> present("#placementPlan"));
        interact(() -> this.<javafx.scene.control.TextField>node("#placementReleaseMessage").setText(message));
        clickOn((Node) lookup(".dialog-pane .button").match(n -> "Publish".equals(((Button) n).getText())).query());
        waitUntil("the release is reported", () -> text("#placementStatus").startsWith("Published release "));
    }

    private void review() {
        clickOn((Node) lookup(".dialog-pane .button").match(n -> "Review…".equals(((Button) n).getText())).query());
        waitUntil("the confirmation shows", () -> present("#placementPlan"));
    }

    @Test
    void anOperatorSplitsAGroupAndPinsOneOfItsHotSellers() {
        publishSecondGroup();
        server.placement(PlacementJson.of("agent-1", true).replace("\"g2\"", "\"ui-g2\"")
                .replace("\"bucketFrom\":512,\"bucketTo\":1024", "\"bucketFrom\":550,\"bucketTo\":600")
                .replace("\"backlog\":7,\"hotSellers\":[]",
                        "\"backlog\":7,\"hotSellers\":[{\"sellerId\":7007,\"nick\":\"hot-shop\",\"changesPerSecond\":99.0}]"));
        signIn(server.url(), cluster.token(Role.OPERATOR));
        show("placement");
        waitUntil("ui-g2 shows", () -> present("#placement-group_blue_ui-g2"));
        clickOn("#placement-group_blue_ui-g2");
        waitUntil("its hot seller shows", () -> lookup("7007 hot-shop 99.0 changes/s").tryQuery().isPresent());

        clickOn("#splitGroup");
        waitUntil("the split dialog shows", () -> present("#splitAt"));
        assertThat(text("#splitAt")).isEqualTo("575");
        review();
        assertThat(text("#placementPlan")).contains("seller-groups 'ui-g2': buckets [550, 600) → [550, 575)")
                .contains("seller-groups 'ui-g2-575': new group, buckets [575, 600)")
                .contains("assignments 'ui-g2-575': new, cluster blue");
        publishTheReviewedPlan("split ui-g2 at 575");
        assertThat(cluster.client(TestCluster.ADMIN_TOKEN).list("seller-groups").stream()
                .filter(i -> i.key().equals("ui-g2-575")).findFirst().orElseThrow().value())
                .containsEntry("bucketFrom", 575).containsEntry("bucketTo", 600);

        clickOn("7007 hot-shop 99.0 changes/s");
        clickOn("#pinSeller");
        waitUntil("the pin dialog shows", () -> present("#pinSellerId"));
        review();
        assertThat(text("#placementPlan")).contains("seller-groups 'pin-7007': new pin group of seller 7007")
                .contains("assignments 'pin-7007': new, cluster blue");
        publishTheReviewedPlan("pin hot-shop");
        assertThat(cluster.client(TestCluster.ADMIN_TOKEN).releases(1).get(0).message()).isEqualTo("pin hot-shop");
        assertThat(cluster.client(TestCluster.ADMIN_TOKEN).list("seller-groups").stream()
                .filter(i -> i.key().equals("pin-7007")).findFirst().orElseThrow().value().get("sellers"))
                .isEqualTo(List.of(7007));
        assertThat(text("#placementMessage")).isEmpty();
    }

    @Test
    void aViewerWatchesButFindsNoAction() {
        server.placement(placement("agent-1", true));
        signIn(server.url(), cluster.token(Role.VIEWER));
        show("placement");
        waitUntil("the tree shows", () -> present("#placement-group_blue_ui-g1"));
        for (String control : List.of("#moveToAgent", "#moveToCluster", "#pinSeller", "#splitGroup")) {
            assertThat(present(control)).as(control).isFalse();
        }
        drag("#placement-group_blue_ui-g1").dropTo("#placement-agent_blue_agent-3");
        assertThat(server.moves()).isEmpty();
    }
}

package io.topaz.console.placement;

import io.topaz.console.PlacementJson;
import io.topaz.console.PlacementServer;
import io.topaz.console.TestCluster;
import io.topaz.console.common.Session;
import io.topaz.console.controlplane.ControlPlaneClient;
import io.topaz.console.controlplane.Operator;
import io.topaz.console.controlplane.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Placement view model's reading and moves against the documented placement API, served in process: the tree,
 * its formatting, a move and its handover, a refused move, a viewer.
 */
class PlacementViewModelTest {

    private PlacementServer server;

    @BeforeEach
    void serve() throws IOException {
        server = new PlacementServer(null).placement(PlacementJson.of("agent-1", true));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private PlacementViewModel vm(Role role) {
        Session session = new Session(new ControlPlaneClient(URI.create(server.url()), "tpz_placement-test-token"),
                new Operator("sre", role));
        return new PlacementViewModel(session, TestCluster.directWork(),
                Clock.fixed(PlacementJson.NOW, ZoneOffset.UTC), ZoneId.of("UTC"));
    }

    private static PlacementNode child(PlacementNode n, String title) {
        return n.children().stream().filter(c -> c.title().equals(title)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + title + " under " + n.title()));
    }

    private static GroupRow group(PlacementViewModel vm, String cluster, String zone, String agent, String group) {
        PlacementNode c = vm.clusters().stream().filter(n -> n.title().equals(cluster)).findFirst().orElseThrow();
        return child(child(child(c, zone), agent), group).group();
    }

    @Test
    void showsClustersZonesAgentsAndTheirGroupsWithLoadAndUnplacedGroups() {
        PlacementViewModel vm = vm(Role.VIEWER);
        vm.refresh();
        assertThat(vm.messageProperty().get()).isEmpty();
        assertThat(vm.clusters()).extracting(PlacementNode::title).containsExactly("blue", "green");
        PlacementNode blue = vm.clusters().get(0);
        assertThat(blue.children()).extracting(PlacementNode::title).containsExactly("zone-a", "zone-b", "Unplaced");
        assertThat(blue.detail()).isEqualTo("zone-a, zone-b · 2 agents · 3 placed, 1 unplaced · 8 sync connections per target");
        PlacementNode agent1 = child(child(blue, "zone-a"), "agent-1");
        assertThat(agent1.detail()).isEqualTo("2 groups · 150.5 changes/s · 5 conn");
        assertThat(agent1.children()).extracting(PlacementNode::title).containsExactly("g1", "pin-42");

        GroupRow g1 = group(vm, "blue", "zone-a", "agent-1", "g1");
        assertThat(g1.range()).isEqualTo("buckets [0, 512)");
        assertThat(g1.load()).isEqualTo("120.5 changes/s");
        assertThat(g1.lag()).isEqualTo("1.3 s");
        assertThat(g1.connections()).isEqualTo(3);
        assertThat(g1.backlog()).isEqualTo(40);
        assertThat(g1.reason()).isEqualTo("initial");
        assertThat(g1.since()).isEqualTo("since 2026-12-06 09:00:00 (5 min ago)");
        assertThat(g1.hotSellersText()).isEqualTo("1001 shop-a 80.0 changes/s · 1002 shop-b 10.5 changes/s");
        assertThat(g1.detail()).isEqualTo("buckets [0, 512) · 120.5 changes/s · lag p99 1.3 s · 3 conn · backlog 40"
                + " · initial since 2026-12-06 09:00:00 (5 min ago)");
        assertThat(group(vm, "blue", "zone-a", "agent-1", "pin-42").range()).isEqualTo("pin 42");

        GroupRow g2 = group(vm, "blue", "zone-b", "agent-3", "g2");
        assertThat(g2.holding()).isFalse();
        assertThat(g2.lag()).isEqualTo("—");
        assertThat(g2.detail()).endsWith("· handing over, agent-3 does not hold it yet");
        PlacementNode unplaced = child(blue, "Unplaced");
        assertThat(unplaced.children()).singleElement().satisfies(n -> {
            assertThat(n.group().group()).isEqualTo("g9");
            assertThat(n.group().placed()).isFalse();
        });
        PlacementNode green = vm.clusters().get(1);
        assertThat(child(child(green, "zone-c"), "agent-2").children()).isEmpty();

        assertThat(vm.summaryProperty().get()).isEqualTo("2 clusters · 3 live agents · 3 groups placed · 1 unplaced"
                + " · leader cp-1");
        assertThat(vm.clusterNames()).containsExactly("blue", "green");
        assertThat(vm.moveTargets("blue", "agent-1")).containsExactly("agent-3");
        assertThat(vm.mayOperate()).isFalse();
    }

    @Test
    void anOperatorMovesAGroupToAnotherAgentAndSeesTheHandoverComplete() {
        PlacementViewModel vm = vm(Role.OPERATOR);
        vm.refresh();
        server.moveAnswers(200, """
                {"group":"g1","cluster":"blue","agent":"agent-3","sinceMillis":%d,"previousAgent":"agent-1",
                 "reason":"operator","generation":2}""".formatted(PlacementJson.FIVE_MINUTES_AGO));
        server.placement(PlacementJson.of("agent-3", false));
        vm.move(group(vm, "blue", "zone-a", "agent-1", "g1"), "agent-3");

        assertThat(server.moves()).containsExactly("g1 <- {\"agent\":\"agent-3\"}");
        assertThat(vm.messageProperty().get()).isEmpty();
        assertThat(vm.statusProperty().get()).isEqualTo("Moving g1 from agent-1 to agent-3: waiting for agent-3 to hold it…");
        GroupRow moving = group(vm, "blue", "zone-b", "agent-3", "g1");
        assertThat(moving.holding()).isFalse();
        assertThat(moving.reason()).isEqualTo("operator");
        assertThat(moving.previousAgent()).isEqualTo("agent-1");

        server.placement(PlacementJson.of("agent-3", true));
        vm.refresh();   // the periodic refresh
        assertThat(vm.statusProperty().get()).isEqualTo("Handover done: agent-3 holds g1.");
        assertThat(group(vm, "blue", "zone-b", "agent-3", "g1").holding()).isTrue();
    }

    @Test
    void aGroupPlacedElsewhereDuringTheHandoverIsSaid() {
        PlacementViewModel vm = vm(Role.OPERATOR);
        vm.refresh();
        server.moveAnswers(200, """
                {"group":"g1","cluster":"blue","agent":"agent-3","sinceMillis":1,"previousAgent":"agent-1",
                 "reason":"operator","generation":2}""");
        vm.move(group(vm, "blue", "zone-a", "agent-1", "g1"), "agent-3");
        assertThat(vm.statusProperty().get()).startsWith("Moving g1 from agent-1 to agent-3");
        // agent-3 died before taking it over: the leader put it back (a later generation)
        server.placement(PlacementJson.of("agent-1", true).replaceFirst(
                "\"reason\":\"initial\",\"previousAgent\":null,\"generation\":1",
                "\"reason\":\"failover\",\"previousAgent\":\"agent-3\",\"generation\":3"));
        vm.refresh();
        assertThat(vm.statusProperty().get()).isEqualTo("g1 went to agent-1 instead of agent-3 (failover).");
    }

    @Test
    void aRefusedMoveShowsTheControlPlanesReason() {
        PlacementViewModel vm = vm(Role.OPERATOR);
        vm.refresh();
        server.moveAnswers(400, """
                {"status":400,"error":"Bad Request","message":"agent-9 is not a live agent of cluster blue",
                 "errors":[{"field":"agent","value":"agent-9","rule":"must be a live agent of cluster blue",
                            "message":"agent must be a live agent of cluster blue, was agent-9"}]}""");
        vm.move(group(vm, "blue", "zone-a", "agent-1", "g1"), "agent-9");
        assertThat(vm.messageProperty().get())
                .isEqualTo("Cannot move g1 to agent-9: agent must be a live agent of cluster blue, was agent-9");
        assertThat(vm.statusProperty().get()).isEmpty();
        assertThat(vm.busyProperty().get()).isFalse();

        server.moveAnswers(409, "{\"status\":409,\"error\":\"Conflict\",\"message\":\"this control plane is not the "
                + "leader\"}");
        vm.move(group(vm, "blue", "zone-a", "agent-1", "g1"), "agent-3");
        assertThat(vm.messageProperty().get()).isEqualTo("Cannot move g1 to agent-3: this control plane is not the leader");
    }

    @Test
    void aViewerOnlyWatches() {
        PlacementViewModel vm = vm(Role.VIEWER);
        vm.refresh();
        vm.move(group(vm, "blue", "zone-a", "agent-1", "g1"), "agent-3");
        List<ConfigPlan> planned = new java.util.ArrayList<>();
        vm.planSplit("g1", 256, null, planned::add);
        assertThat(server.moves()).isEmpty();
        assertThat(planned).isEmpty();
    }

    @Test
    void aControlPlaneThatDoesNotAnswerIsAMessage() throws IOException {
        PlacementServer gone = new PlacementServer(null);
        Session session = new Session(new ControlPlaneClient(URI.create(gone.url()), "tpz_placement-test-token"),
                new Operator("sre", Role.VIEWER));
        gone.close();
        PlacementViewModel vm = new PlacementViewModel(session, TestCluster.directWork(), Clock.systemUTC(),
                ZoneId.of("UTC"));
        vm.refresh();
        assertThat(vm.messageProperty().get()).startsWith("Cannot load the placement: cannot reach the control plane");
        assertThat(vm.clusters()).isEmpty();
    }
}

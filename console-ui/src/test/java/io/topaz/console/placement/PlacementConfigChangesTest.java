package io.topaz.console.placement;

import io.topaz.console.PlacementServer;
import io.topaz.console.TestCluster;
import io.topaz.console.common.Session;
import io.topaz.console.controlplane.ControlPlaneClient;
import io.topaz.console.controlplane.Role;
import io.topaz.model.config.SellerGroup;
import io.topaz.model.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Placement screen's config changes against the real control plane (the shared {@link TestCluster}; placement
 * itself served in front of it): moving a group to another cluster, pinning a seller, splitting a range, each written
 * to the draft and published, asserted on the published release's content; refusals and a draft that moved meanwhile.
 * Its groups own buckets [300, 500), which no other test uses.
 */
class PlacementConfigChangesTest {

    private static final TestCluster cluster = TestCluster.get();
    private static final String TARGET = "placement-erp";
    private static PlacementServer server;

    @BeforeAll
    static void publishGroups() throws IOException {
        server = new PlacementServer(cluster.url());
        ControlPlaneClient admin = cluster.client(TestCluster.ADMIN_TOKEN);
        admin.createApp(Map.of("appKey", "placement-erp-app", "name", "Placement ERP", "owner", "isv",
                "allowedApiGroups", List.of()));
        List<String> groups = List.of("pc-g1", "pc-g2", "pc-g3", "pc-g4");
        for (int i = 0; i < groups.size(); i++) {
            admin.create("seller-groups", Map.of("name", groups.get(i), "bucketFrom", 300 + 50 * i,
                    "bucketTo", 350 + 50 * i));
            admin.create("assignments", Map.of("sellerGroup", groups.get(i), "cluster", "blue"));
        }
        admin.create("sync-targets", Map.of("name", TARGET, "appKey", "placement-erp-app",
                "jdbcUrl", "jdbc:postgresql://127.0.0.1:5432/placement_jdp", "user", "jdp", "sellerGroups", groups));
        cluster.awaitApplied(admin.publish(admin.diff().draftRevision(), "placement test groups", null).number());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** An operator signed in through the placement server, as the sign-in form would do it. */
    private PlacementViewModel vm() {
        ControlPlaneClient client = new ControlPlaneClient(URI.create(server.url()), cluster.token(Role.OPERATOR));
        return new PlacementViewModel(new Session(client, client.me()), TestCluster.directWork(), Clock.systemUTC(),
                ZoneId.of("UTC"));
    }

    private static GroupRow row(String group) {
        return new GroupRow("blue", group, "", false, null, null, "agent-1", "zone-a", true, "", "", 0, 0, List.of(),
                "initial", "", null, 1);
    }

    private static ConfigPlan plan(List<ConfigPlan> planned) {
        assertThat(planned).hasSize(1);
        return planned.get(0);
    }

    /** The published release's content: its entries of {@code kind}, by key. */
    private static Map<String, JsonNode> released(long release, String kind) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(cluster.url() + "/api/v1/releases/" + release))
                .header("Authorization", "Bearer " + TestCluster.ADMIN_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode items = Json.lenient().readTree(r.body()).get("items").get(kind);
        Map<String, JsonNode> byKey = new java.util.TreeMap<>();
        for (JsonNode n : items) {
            byKey.put(n.has("name") ? n.get("name").asString() : n.get("sellerGroup").asString(), n);
        }
        return byKey;
    }

    private static long publishedRelease(PlacementViewModel vm) {
        String status = vm.statusProperty().get();
        assertThat(status).as("status; message: " + vm.messageProperty().get()).startsWith("Published release ");
        return Long.parseLong(status.substring("Published release ".length(), status.indexOf(':')));
    }

    private static List<String> strings(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asString).toList();
    }

    @Test
    void movesAGroupToAnotherClusterByPublishingItsAssignment() throws Exception {
        PlacementViewModel vm = vm();
        List<ConfigPlan> planned = new ArrayList<>();
        vm.planClusterMove(row("pc-g1"), "green", planned::add);
        ConfigPlan plan = plan(planned);
        assertThat(plan.action()).isEqualTo("move seller group pc-g1 to cluster green");
        assertThat(plan.describe()).startsWith("• assignments 'pc-g1': cluster blue → green");
        assertThat(plan.edits()).hasSize(1);

        vm.publish(plan, "pc-g1 to green: blue is saturated");
        long release = publishedRelease(vm);
        assertThat(vm.statusProperty().get()).isEqualTo("Published release " + release + ": move seller group pc-g1 "
                + "to cluster green. The leader places the groups as the agents apply it.");
        assertThat(released(release, "assignments").get("pc-g1").get("cluster").asString()).isEqualTo("green");
        assertThat(released(release, "assignments").get("pc-g2").get("cluster").asString()).isEqualTo("blue");
        assertThat(cluster.client(TestCluster.ADMIN_TOKEN).releases(1).get(0).message())
                .isEqualTo("pc-g1 to green: blue is saturated");

        planned.clear();
        vm.planClusterMove(row("pc-g1"), "green", planned::add);
        assertThat(planned).isEmpty();
        assertThat(vm.messageProperty().get())
                .isEqualTo("Cannot move pc-g1 to green: seller group pc-g1 is already assigned to cluster green in the draft");
    }

    @Test
    void pinsAHotSellerIntoAGroupOfItsOwnSyncedByTheSameTargets() throws Exception {
        long seller = 5_000_001;
        while (SellerGroup.bucketOf(Long.toString(seller)) < 350 || SellerGroup.bucketOf(Long.toString(seller)) >= 400) {
            seller++;
        }
        PlacementViewModel vm = vm();
        List<ConfigPlan> planned = new ArrayList<>();
        vm.planPin(seller, "green", null, planned::add);
        ConfigPlan plan = plan(planned);
        String pin = "pin-" + seller;
        assertThat(plan.edits()).extracting(ConfigPlan.Edit::change).containsExactly(
                "seller-groups '" + pin + "': new pin group of seller " + seller,
                "assignments '" + pin + "': new, cluster green",
                "sync-targets '" + TARGET + "': also syncs " + pin);

        vm.publish(plan, "pin hot seller " + seller);
        long release = publishedRelease(vm);
        JsonNode group = released(release, "seller-groups").get(pin);
        assertThat(group.get("sellers").get(0).asLong()).isEqualTo(seller);
        assertThat(group.has("bucketFrom") && !group.get("bucketFrom").isNull()).isFalse();
        assertThat(group.get("description").asString()).isEqualTo("hot seller " + seller + " pinned out of pc-g2");
        assertThat(released(release, "assignments").get(pin).get("cluster").asString()).isEqualTo("green");
        assertThat(strings(released(release, "sync-targets").get(TARGET).get("sellerGroups"))).contains("pc-g2", pin);

        planned.clear();
        vm.planPin(seller, "blue", "pc-g2", planned::add);
        assertThat(planned).isEmpty();
        assertThat(vm.messageProperty().get()).isEqualTo("Cannot pin seller " + seller + ": seller group " + pin
                + " already exists in the draft");
    }

    @Test
    void splitsARangeGroupKeepingItsClusterAndTargets() throws Exception {
        PlacementViewModel vm = vm();
        List<ConfigPlan> planned = new ArrayList<>();
        vm.planSplit("pc-g3", 400, null, planned::add);
        assertThat(planned).isEmpty();
        assertThat(vm.messageProperty().get()).isEqualTo("Cannot split pc-g3: the split bucket must lie inside "
                + "pc-g3's range [400, 450), strictly after its first bucket; was 400");

        vm.planSplit("pc-g3", 430, null, planned::add);
        ConfigPlan plan = plan(planned);
        assertThat(plan.edits()).extracting(ConfigPlan.Edit::change).containsExactly(
                "seller-groups 'pc-g3': buckets [400, 450) → [400, 430)",
                "seller-groups 'pc-g3-430': new group, buckets [430, 450)",
                "assignments 'pc-g3-430': new, cluster blue",
                "sync-targets '" + TARGET + "': also syncs pc-g3-430");
        vm.publish(plan, "split pc-g3 at 430");
        long release = publishedRelease(vm);
        Map<String, JsonNode> groups = released(release, "seller-groups");
        assertThat(groups.get("pc-g3").get("bucketFrom").asInt()).isEqualTo(400);
        assertThat(groups.get("pc-g3").get("bucketTo").asInt()).isEqualTo(430);
        assertThat(groups.get("pc-g3-430").get("bucketFrom").asInt()).isEqualTo(430);
        assertThat(groups.get("pc-g3-430").get("bucketTo").asInt()).isEqualTo(450);
        assertThat(released(release, "assignments").get("pc-g3-430").get("cluster").asString()).isEqualTo("blue");
        assertThat(strings(released(release, "sync-targets").get(TARGET).get("sellerGroups")))
                .contains("pc-g3", "pc-g3-430");
    }

    @Test
    void aDraftThatMovedAfterTheConfirmationIsNotPublished() throws Exception {
        PlacementViewModel vm = vm();
        List<ConfigPlan> planned = new ArrayList<>();
        vm.planClusterMove(row("pc-g4"), "green", planned::add);
        ConfigPlan plan = plan(planned);
        ControlPlaneClient other = cluster.client(TestCluster.ADMIN_TOKEN);
        other.create("agent-clusters", Map.of("name", "pc-extra", "zones", List.of("zone-x")));
        long live = other.releases(1).get(0).number();

        vm.publish(plan, "pc-g4 to green");
        assertThat(vm.messageProperty().get()).isEqualTo("Not published (move seller group pc-g4 to cluster green): "
                + "the draft changed since you confirmed (now also agent-clusters 'pc-extra'). Your edits are in the "
                + "draft: review them on the Releases screen and publish there");
        assertThat(other.releases(1).get(0).number()).isEqualTo(live);
        // leave the shared draft publishable and published
        cluster.awaitApplied(other.publish(other.diff().draftRevision(), "pc-extra and pc-g4", null).number());
        assertThat(released(other.releases(1).get(0).number(), "assignments").get("pc-g4").get("cluster").asString())
                .isEqualTo("green");
    }

    @Test
    void aViewerMayNotChangePlacement() {
        PlacementViewModel vm = new PlacementViewModel(cluster.session(Role.VIEWER), TestCluster.directWork(),
                Clock.systemUTC(), ZoneId.of("UTC"));
        List<ConfigPlan> planned = new ArrayList<>();
        vm.planClusterMove(row("pc-g2"), "green", planned::add);
        assertThat(planned).isEmpty();
        assertThat(vm.mayOperate()).isFalse();
    }
}

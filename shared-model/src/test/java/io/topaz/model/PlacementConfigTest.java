package io.topaz.model;

import io.topaz.model.config.AgentCluster;
import io.topaz.model.config.Assignment;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.SellerGroup;
import io.topaz.model.config.SellerGroups;
import io.topaz.model.config.SyncTarget;
import io.topaz.model.json.Json;
import io.topaz.model.validation.FieldError;
import io.topaz.model.validation.ReleaseValidator;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Clusters across zones with a connection budget, and pin groups for hot sellers (seller-group isolation). */
class PlacementConfigTest {

    @Test
    void aClusterWrittenWithOneZoneStillDecodesAsAClusterOfThatZone() {
        String old = "{\"name\":\"blue\",\"zone\":\"hz-a\",\"description\":\"before zones\"}";
        AgentCluster c = Json.strict().readValue(old, AgentCluster.class);
        assertThat(c.zones()).containsExactly("hz-a");
        assertThat(c.syncConnections()).isEqualTo(AgentCluster.DEFAULT_SYNC_CONNECTIONS);
        assertThat(c.validate()).isEmpty();
        String now = new String(Json.write(c), StandardCharsets.UTF_8);
        assertThat(now).contains("\"zones\":[\"hz-a\"]").doesNotContain("\"zone\"");
        assertThat(Json.read(now.getBytes(StandardCharsets.UTF_8), AgentCluster.class)).isEqualTo(c);
    }

    @Test
    void aClusterNeedsAZoneAndABudgetOfAtLeastOne() {
        AgentCluster bad = new AgentCluster("blue", List.of("a", "a"), 0, null);
        assertThat(bad.validate()).extracting(FieldError::field).containsExactlyInAnyOrder("zones", "syncConnections");
        assertThat(new AgentCluster("blue", List.of(), 4, null).validate()).extracting(FieldError::field)
                .containsExactly("zones");
    }

    @Test
    void aPinnedSellerIsSyncedByItsPinGroupNotByTheRangeOfItsBucket() {
        long hot = 4242L;
        SellerGroup all = new SellerGroup("all", null, 0, SellerGroup.BUCKETS);
        SellerGroup pin = SellerGroup.pin("hot-4242", "a hot seller", List.of(hot));
        assertThat(pin.validate()).isEmpty();
        assertThat(SellerGroups.groupOf(List.of(all, pin), hot)).contains(pin);
        assertThat(SellerGroups.groupOf(List.of(all, pin), 7L)).contains(all);
        assertThat(SellerGroups.groupOf(List.of(pin), 7L)).isEmpty();
        // a range group with no sellers field encodes as before (its blob does not change)
        assertThat(new String(Json.write(all), StandardCharsets.UTF_8)).doesNotContain("sellers");
    }

    @Test
    void pinsAreValidatedAndASellerIsPinnedOnce() {
        SellerGroup mixed = new SellerGroup("mixed", null, 0, 10, List.of(1L, 1L, -2L));
        assertThat(mixed.validate()).extracting(FieldError::field)
                .containsExactlyInAnyOrder("bucketFrom", "bucketTo", "sellers[1]", "sellers[2]");
        ConfigSnapshot s = ConfigSnapshot.builder(1)
                .put(ConfigKind.SELLER_GROUPS, new SellerGroup("all", null, 0, SellerGroup.BUCKETS))
                .put(ConfigKind.SELLER_GROUPS, SellerGroup.pin("p1", null, List.of(5L)))
                .put(ConfigKind.SELLER_GROUPS, SellerGroup.pin("p2", null, List.of(5L)))
                .build();
        assertThat(ReleaseValidator.validate(s)).singleElement().satisfies(e -> {
            assertThat(e.field()).isIn("seller-groups['p1'].sellers[0]", "seller-groups['p2'].sellers[0]");
            assertThat(e.rule()).contains("already pinned");
        });
    }

    @Test
    void aClusterNeedsAConnectionPerSyncedGroupAndAnAssignmentAnExistingCluster() {
        ConfigSnapshot.Builder b = ConfigSnapshot.builder(1)
                .put(ConfigKind.AGENT_CLUSTERS, new AgentCluster("blue", List.of("a", "b"), 2, null));
        for (String g : List.of("g1", "g2", "g3", "g4")) {
            b.put(ConfigKind.SELLER_GROUPS, SellerGroup.pin(g, null, List.of((long) g.charAt(1))));
            b.put(ConfigKind.ASSIGNMENTS, new Assignment(g, g.equals("g4") ? "green" : "blue"));
        }
        // g1..g3 are synced by a target and assigned to blue, whose budget is 2; g4's cluster does not exist
        b.put(ConfigKind.SYNC_TARGETS, new SyncTarget("erp", "app", "jdbc:mariadb://127.0.0.1:3306/jdp", "root",
                List.of("g1", "g2", "g3"), null, null, null, null, null, null));
        List<FieldError> errors = ReleaseValidator.validate(b.build());
        assertThat(errors).extracting(FieldError::field).containsExactlyInAnyOrder(
                "agent-clusters['blue'].syncConnections", "assignments['g4'].cluster");
        FieldError budget = errors.stream().filter(e -> e.field().endsWith("syncConnections")).findFirst().orElseThrow();
        assertThat(budget.rule()).contains("at least 3").contains("g1, g2, g3");

        ConfigSnapshot enough = ConfigSnapshot.builder(2)
                .put(ConfigKind.AGENT_CLUSTERS, new AgentCluster("blue", List.of("a"), 1, null))
                .put(ConfigKind.SELLER_GROUPS, SellerGroup.pin("g1", null, List.of(1L)))
                .put(ConfigKind.SELLER_GROUPS, SellerGroup.pin("g2", null, List.of(2L)))
                .put(ConfigKind.ASSIGNMENTS, new Assignment("g1", "blue"))
                .put(ConfigKind.ASSIGNMENTS, new Assignment("g2", "blue")) // no target covers g2: needs no connection
                .put(ConfigKind.SYNC_TARGETS, new SyncTarget("erp", "app", "jdbc:mariadb://127.0.0.1:3306/jdp", "root",
                        List.of("g1"), null, null, null, null, null, null))
                .build();
        assertThat(ReleaseValidator.validate(enough)).isEmpty();
    }
}

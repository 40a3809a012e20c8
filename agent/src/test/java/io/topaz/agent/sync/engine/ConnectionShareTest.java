package io.topaz.agent.sync.engine;

import io.topaz.agent.sync.BucketRange;
import io.topaz.model.config.AgentCluster;
import io.topaz.model.config.Assignment;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.SellerGroup;
import io.topaz.model.config.SyncTarget;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A (target, group)'s pool: its share of its cluster's budget, within the target's own cap. */
class ConnectionShareTest {

    private static SyncTarget target(List<String> groups, int maxConnections) {
        return new SyncTarget("erp", "12345678", "jdbc:mariadb://h/db", "u", groups, maxConnections, null, null, null,
                null, null);
    }

    @Test
    void eachGroupGetsItsShareOfTheClustersBudgetAndTheSharesStayWithinTheTargetsCap() {
        SyncTarget t = target(List.of("a", "b", "c", "hot"), 200);
        SyncConfig config = new SyncConfig(List.of(t), Map.of(), Map.of("a", "c1", "b", "c1", "c", "c2", "hot", "c1"),
                Map.of("c1", 12, "c2", 5));
        assertThat(config.share(t, "c1")).isEqualTo(4); // 12 over the cluster's 3 groups of the target
        assertThat(config.share(t, "c2")).isEqualTo(5); // its one group takes the whole budget
        assertThat(config.budget("c3")).isEqualTo(AgentCluster.DEFAULT_SYNC_CONNECTIONS);

        SyncTarget capped = target(List.of("a", "b", "c", "hot"), 8); // 8 over all 4 groups: 2 each at most
        assertThat(config.share(capped, "c1")).isEqualTo(2);
        assertThat(config.share(capped, "c2")).isEqualTo(2);

        SyncTarget many = target(List.of("a", "b", "c", "hot"), 2);
        assertThat(config.share(many, "c1")).isEqualTo(1); // every group holds at least one connection
    }

    @Test
    void theBudgetsComeFromTheReleasesAgentClusters() {
        ConfigSnapshot release = ConfigSnapshot.builder(1)
                .put(ConfigKind.AGENT_CLUSTERS, new AgentCluster("c1", List.of("z1", "z2"), 6, null))
                .put(ConfigKind.AGENT_CLUSTERS, new AgentCluster("c2", "z1", null))
                .put(ConfigKind.SELLER_GROUPS, new SellerGroup("a", null, 0, 512))
                .put(ConfigKind.SELLER_GROUPS, new SellerGroup("b", null, 512, 1024))
                .put(ConfigKind.ASSIGNMENTS, new Assignment("a", "c1"))
                .put(ConfigKind.ASSIGNMENTS, new Assignment("b", "c1"))
                .put(ConfigKind.SYNC_TARGETS, target(List.of("a", "b"), 100))
                .build();
        SyncConfig config = SyncConfig.of(release);
        assertThat(config.budget("c1")).isEqualTo(6);
        assertThat(config.budget("c2")).isEqualTo(AgentCluster.DEFAULT_SYNC_CONNECTIONS);
        assertThat(config.share(config.targets().get(0), "c1")).isEqualTo(3);
        assertThat(config.buckets("a")).contains(new BucketRange(0, 512));
    }
}

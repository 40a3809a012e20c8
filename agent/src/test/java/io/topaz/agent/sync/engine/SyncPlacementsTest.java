package io.topaz.agent.sync.engine;

import io.topaz.model.placement.GroupPlacement;
import io.topaz.model.placement.SyncAgentLoad;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Which agent syncs a group: the placement where it applies, else the rendezvous fallback. */
class SyncPlacementsTest {

    private final ZkLayout layout = new ZkLayout("/placements");

    @Test
    void aPlacementWinsAndRendezvousCoversTheGroupsWithoutOne() throws Exception {
        try (TestingServer zk = new TestingServer(true);
             CuratorFramework c = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100))) {
            c.start();
            SyncPlacements p = new SyncPlacements(c, layout);
            p.start();
            await().atMost(Duration.ofSeconds(10)).until(p::initialized);
            Set<String> live = Set.of("a1", "a2", "a3");
            // no placement (no leader yet, or an older control plane): the rendezvous choice
            assertThat(p.owner("demo", "g1", "c1", live)).isEqualTo(SyncMembers.rendezvous("demo", "g1", live));
            assertThat(p.placed("g1", "c1", live)).isFalse();

            String other = live.stream().filter(a -> !a.equals(SyncMembers.rendezvous("demo", "g1", live)))
                    .findFirst().orElseThrow();
            PlacementHandoverTest.place(c, layout, new GroupPlacement("g1", "c1", other, 1, null,
                    GroupPlacement.INITIAL, 1));
            await().atMost(Duration.ofSeconds(10)).until(() -> p.owner("demo", "g1", "c1", live).equals(other));
            assertThat(p.owner("other-target", "g1", "c1", live)).isEqualTo(other); // every target of the group
            // the placed agent is gone: rendezvous among the live ones until the leader places it again
            Set<String> without = Set.of("a1", "a2", "a3").stream().filter(a -> !a.equals(other))
                    .collect(java.util.stream.Collectors.toSet());
            assertThat(p.owner("demo", "g1", "c1", without)).isEqualTo(SyncMembers.rendezvous("demo", "g1",
                    without));
            // a placement in another cluster (the group's assignment moved since): not this cluster's decision
            assertThat(p.owner("demo", "g1", "c2", live)).isEqualTo(SyncMembers.rendezvous("demo", "g1", live));
            p.close();
        }
    }

    @Test
    void memberNodesOfOlderAgentsHoldTheirBareIdAndStillCount() {
        assertThat(SyncMembers.decode("agent-7".getBytes(StandardCharsets.UTF_8)).orElseThrow().agentId())
                .isEqualTo("agent-7");
        byte[] json = io.topaz.model.json.Json.write(new SyncAgentLoad("agent-8", "z1", "c1", 5, Map.of("g1",
                new SyncAgentLoad.GroupLoad(1.5, 20, 2, 3, null))));
        SyncAgentLoad l = SyncMembers.decode(json).orElseThrow();
        assertThat(l.agentId()).isEqualTo("agent-8");
        assertThat(l.groups().get("g1").connections()).isEqualTo(2);
        assertThat(SyncMembers.decode(new byte[0])).isEmpty();
        assertThat(SyncMembers.decode("{not json".getBytes(StandardCharsets.UTF_8))).isEmpty();
    }
}

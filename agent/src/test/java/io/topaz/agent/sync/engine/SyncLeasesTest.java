package io.topaz.agent.sync.engine;

import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Leases and placement on a real ZooKeeper: one holder at a time, a higher epoch for each new one. */
class SyncLeasesTest {

    private final ZkLayout layout = new ZkLayout("/leases");

    private static CuratorFramework client(TestingServer zk) {
        CuratorFramework c = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100));
        c.start();
        return c;
    }

    @Test
    void oneHolderAtATimeAndEachNewHolderRaisesTheEpoch() throws Exception {
        try (TestingServer zk = new TestingServer(true); CuratorFramework two = client(zk)) {
            CuratorFramework one = client(zk);
            SyncLeases a = new SyncLeases(one, layout, "agent-1");
            SyncLeases b = new SyncLeases(two, layout, "agent-2");
            SyncLeases.Lease held = a.acquire("demo", "g1").orElseThrow();
            assertThat(held.fence.epoch()).isEqualTo(1);
            assertThat(b.acquire("demo", "g1")).isEmpty();
            assertThat(b.holder("demo", "g1")).contains("agent-1");
            held.state(GroupState.initial().withBackfill(GroupState.DONE, 5, 99, 42));

            zk.stop(); // the holder loses ZooKeeper: it must stop writing at once, whatever happens next
            await().atMost(Duration.ofSeconds(10)).until(() -> !held.valid());
            zk.restart();
            one.close(); // the holder's session ends (a crash): its lease node goes with it
            Optional<SyncLeases.Lease>[] next = new Optional[1];
            await().atMost(Duration.ofSeconds(10)).until(() -> (next[0] = b.acquire("demo", "g1")).isPresent());
            assertThat(next[0].orElseThrow().fence.epoch()).isEqualTo(2);
            assertThat(next[0].orElseThrow().state().copied()).isEqualTo(42); // the progress stays with the group

            next[0].orElseThrow().release();
            assertThat(b.holder("demo", "g1")).isEmpty();
            assertThat(b.acquire("demo", "g1").orElseThrow().fence.epoch()).isEqualTo(3);
            b.close();
        }
    }

    @Test
    void placementGivesEachGroupToExactlyOneLiveSyncingAgent() throws Exception {
        try (TestingServer zk = new TestingServer(true); CuratorFramework c1 = client(zk);
             CuratorFramework c2 = client(zk)) {
            SyncMembers m1 = new SyncMembers(c1, layout, "c1", "agent-1", load("agent-1"));
            SyncMembers m2 = new SyncMembers(c2, layout, "c1", "agent-2", load("agent-2"));
            m1.start();
            m2.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> m1.members().size() == 2 && m2.members().size() == 2);
            int mine1 = 0;
            for (int g = 0; g < 40; g++) {
                boolean one = mine(m1, "agent-1", "g" + g);
                assertThat(mine(m2, "agent-2", "g" + g)).isNotEqualTo(one);
                mine1 += one ? 1 : 0;
            }
            assertThat(mine1).isBetween(1, 39); // both get some
            m2.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> m1.members().size() == 1);
            assertThat(mine(m1, "agent-1", "g0")).isTrue(); // the survivor takes every group
            m1.close();
        }
    }

    private static io.topaz.model.placement.SyncAgentLoad load(String id) {
        return new io.topaz.model.placement.SyncAgentLoad(id, "z1", "c1", 0, Map.of());
    }

    private static boolean mine(SyncMembers m, String id, String group) {
        return id.equals(SyncMembers.rendezvous("demo", group, m.members()));
    }
}

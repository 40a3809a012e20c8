package io.topaz.control.release;

import io.topaz.control.TestZooKeeper;
import io.topaz.control.audit.AuditAction;
import io.topaz.control.audit.AuditEvent;
import io.topaz.control.audit.AuditOutbox;
import io.topaz.model.config.AgentCluster;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.json.Json;
import io.topaz.model.zk.ZkLayout;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.topaz.control.release.PublishConsistencyTest.events;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A control plane that dies between the ZooKeeper commit and the audit insert (here: its database refuses every
 * insert) leaves its audit records in the ZooKeeper outbox; the next control plane to start moves them, and every
 * change ends with exactly one audit row, even with two replayers at once and a replayer that inserted but died before
 * deleting the node.
 */
class AuditOutboxReplayTest {

    private static final ConfigKind<AgentCluster> CLUSTERS = ConfigKind.AGENT_CLUSTERS;

    @Test
    void recordsLeftByACrashAreReplayedOnStartExactlyOnce() throws Exception {
        String root = TestZooKeeper.uniqueRoot();
        DataSource db = ControlPlaneStack.migratedDatabase();
        long release;
        try (ControlPlaneStack crashing = new ControlPlaneStack(root, ControlPlaneStack.brokenDatabase())) {
            crashing.config.create(CLUSTERS, new AgentCluster("c1", "z", null), "alice");
            crashing.config.update(CLUSTERS, "c1", new AgentCluster("c1", "z2", null), 1, "alice");
            release = crashing.releases.publish("first", crashing.releases.diff().draftRevision(), "alice", null)
                    .release().number();
            crashing.config.delete(CLUSTERS, "c1", 2, "alice");
            assertThat(crashing.outbox.pending()).as("every change committed with its record").isEqualTo(4);
        }

        try (ControlPlaneStack one = new ControlPlaneStack(root, db); ControlPlaneStack two = new ControlPlaneStack(root, db)) {
            // A replayer that inserted the oldest record and died before deleting its node.
            String oldest = one.curator.getChildren().forPath(new ZkLayout(root).auditOutbox()).stream().sorted()
                    .findFirst().orElseThrow();
            byte[] data = one.curator.getData().forPath(new ZkLayout(root).auditOutbox() + "/" + oldest);
            assertThat(one.auditLog.recordOnce(Json.lenient().readValue(data, AuditOutbox.Entry.class))).isTrue();

            // Two control planes start at once and both replay.
            CompletableFuture<Integer> first = CompletableFuture.supplyAsync(one.outbox::replay);
            CompletableFuture<Integer> second = CompletableFuture.supplyAsync(two.outbox::replay);
            assertThat(first.get() + second.get()).as("rows inserted by the replays").isEqualTo(3);
            assertThat(one.outbox.pending()).isZero();
            assertThat(one.outbox.replay()).isZero();

            List<AuditEvent> item = events(one, CLUSTERS.name(), "c1", null);
            assertThat(item).extracting(AuditEvent::action)
                    .containsExactly(AuditAction.DELETE, AuditAction.UPDATE, AuditAction.CREATE);
            assertThat(item.get(1).detail()).contains("\"z2\"");
            assertThat(events(one, null, null, release)).extracting(AuditEvent::action).containsExactly(AuditAction.PUBLISH);
        }
    }
}

package io.topaz.control.release;

import io.topaz.control.TestZooKeeper;
import io.topaz.control.audit.AuditAction;
import io.topaz.control.web.ApiException;
import io.topaz.model.config.AgentCluster;
import io.topaz.model.config.ConfigItem;
import io.topaz.model.config.ConfigKind;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

import javax.sql.DataSource;

import static io.topaz.control.release.PublishConsistencyTest.call;
import static io.topaz.control.release.PublishConsistencyTest.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A rollback resets the draft in the release's own transaction with versioned operations: a draft save acknowledged
 * while the rollback runs (on another control plane) fails the rollback and is kept; a rollback that succeeds names
 * the draft work it discarded, in its answer and its audit row.
 */
class RollbackRaceTest {

    private static final ConfigKind<AgentCluster> CLUSTERS = ConfigKind.AGENT_CLUSTERS;

    @Test
    void aSaveLandingDuringARollbackIsKeptAndTheRollbackRefusedThenARetryNamesWhatItDiscards() throws Exception {
        String root = TestZooKeeper.uniqueRoot();
        DataSource db = ControlPlaneStack.migratedDatabase();
        try (ControlPlaneStack a = new ControlPlaneStack(root, db); ControlPlaneStack b = new ControlPlaneStack(root, db)) {
            a.config.create(CLUSTERS, new AgentCluster("c1", "z", null), "alice");
            long first = publish(a);
            a.config.create(CLUSTERS, new AgentCluster("c2", "z", null), "alice");
            long second = publish(a);
            b.config.create(CLUSTERS, new AgentCluster("c3", "z", null), "bob");   // unpublished work

            // Bob saves c2 after the rollback read the draft and before it commits.
            a.releases.beforeCommit(() -> call(() ->
                    b.config.update(CLUSTERS, "c2", new AgentCluster("c2", "z-bob", null), 1, "bob")));
            assertThatThrownBy(() -> a.releases.rollback(first, "undo c2", null, "alice", null))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(HttpStatus.CONFLICT);
                        assertThat(e.getMessage()).contains("changed while this was being rolled back")
                                .contains("agent-clusters 'c2'").contains("nothing was rolled back")
                                .contains("changes are kept");
                    });
            a.releases.beforeCommit(() -> { });
            assertThat(a.releases.liveNumber()).as("nothing rolled back").isEqualTo(second);
            ConfigItem<AgentCluster> saved = a.config.get(CLUSTERS, "c2").orElseThrow();
            assertThat(saved.value().zones()).as("Bob's acknowledged save is kept").containsExactly("z-bob");
            assertThat(events(a, null, null, null)).noneMatch(e -> e.action() == AuditAction.ROLLBACK);

            // With the draft read by the operator: refused while stale, then done, naming what it throws away.
            long seen = a.releases.diff().draftRevision();
            b.config.delete(CLUSTERS, "c3", 1, "bob");
            assertThatThrownBy(() -> a.releases.rollback(first, "undo c2", seen, "alice", null))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getMessage())
                            .contains("moved since").contains("agent-clusters 'c3'"));
            b.config.create(CLUSTERS, new AgentCluster("c3", "z", null), "bob");
            ReleaseSummary rolled = a.releases.rollback(first, "undo c2", a.releases.diff().draftRevision(), "alice",
                    null).release();
            assertThat(rolled.rollbackOf()).isEqualTo(first);
            assertThat(rolled.discardedDraftChanges()).containsExactly("agent-clusters 'c2'", "agent-clusters 'c3'");
            assertThat(rolled.draftRevision()).isEqualTo(a.releases.diff().draftRevision());
            assertThat(a.config.list(CLUSTERS)).extracting(ConfigItem::key).containsExactly("c1");
            assertThat(a.releases.diff().changes()).isEmpty();

            assertThat(events(a, null, null, rolled.number())).singleElement().satisfies(e -> {
                assertThat(e.action()).isEqualTo(AuditAction.ROLLBACK);
                assertThat(e.detail()).contains("\"discardedDraftChanges\":[\"agent-clusters 'c2'\",\"agent-clusters 'c3'\"]");
            });
            assertThat(a.outbox.pending()).isZero();
        }
    }

    private static long publish(ControlPlaneStack s) throws Exception {
        return s.releases.publish("publish", s.releases.diff().draftRevision(), "alice", null).release().number();
    }
}

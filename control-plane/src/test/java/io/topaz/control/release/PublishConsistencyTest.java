package io.topaz.control.release;

import io.topaz.control.TestZooKeeper;
import io.topaz.control.audit.AuditAction;
import io.topaz.control.audit.AuditEvent;
import io.topaz.control.audit.AuditQuery;
import io.topaz.control.web.ApiException;
import io.topaz.model.config.AgentCluster;
import io.topaz.model.config.ConfigItem;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.validation.ConfigValidationException;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two control planes (each its own ZooKeeper session, publish-lock participant and services) on one ZooKeeper root and
 * one database: concurrent draft edits and publishes lose no edit, publish only the revision a diff showed, and audit
 * every change exactly once; a publish of a stale revision is refused naming what changed.
 */
class PublishConsistencyTest {

    private static final ConfigKind<AgentCluster> CLUSTERS = ConfigKind.AGENT_CLUSTERS;

    @Test
    void twoControlPlanesEditingAndPublishingAtOnceLoseNoEditPublishOnlyReviewedRevisionsAndAuditEachChangeOnce()
            throws Exception {
        String root = TestZooKeeper.uniqueRoot();
        DataSource db = ControlPlaneStack.migratedDatabase();
        int perEditor = 20;
        try (ControlPlaneStack a = new ControlPlaneStack(root, db); ControlPlaneStack b = new ControlPlaneStack(root, db)) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            AtomicBoolean editing = new AtomicBoolean(true);
            record Shipped(long release, Map<String, AgentCluster> reviewed) {
            }
            ConcurrentLinkedQueue<Shipped> shipped = new ConcurrentLinkedQueue<>();
            List<Future<?>> editors = new ArrayList<>();
            for (ControlPlaneStack s : List.of(a, b)) {
                String prefix = s == a ? "a-" : "b-";
                editors.add(pool.submit(() -> {
                    for (int i = 0; i < perEditor; i++) {
                        s.config.create(CLUSTERS, new AgentCluster(prefix + i, "z0", null), "editor-" + prefix);
                        s.config.update(CLUSTERS, prefix + i, new AgentCluster(prefix + i, "z1", null), 1, "editor-" + prefix);
                    }
                    return null;
                }));
            }
            List<Future<?>> publishers = new ArrayList<>();
            for (ControlPlaneStack s : List.of(a, b)) {
                publishers.add(pool.submit(() -> {
                    // Publish until the editors have stopped and the final draft is live: a publisher whose diff
                    // was taken after the last edit either ships it or is told there is nothing left to publish.
                    // (Stopping as soon as the editors stop could leave every attempt refused on a slow machine.)
                    while (true) {
                        boolean quiet = !editing.get();
                        DraftDiff diff = s.releases.diff();
                        Map<String, AgentCluster> reviewed = reviewed(s, diff);
                        try {
                            long n = s.releases.publish("round", diff.draftRevision(), "publisher", null).release().number();
                            shipped.add(new Shipped(n, reviewed));
                            if (quiet) {
                                return null;
                            }
                        } catch (ApiException e) {
                            assertThat(e.status()).as(e.getMessage()).isEqualTo(HttpStatus.CONFLICT);
                            if (quiet && e.getMessage().startsWith("nothing to publish")) {
                                return null;
                            }
                        }
                    }
                }));
            }
            for (Future<?> f : editors) {
                f.get(120, TimeUnit.SECONDS);
            }
            editing.set(false);
            for (Future<?> f : publishers) {
                f.get(120, TimeUnit.SECONDS);
            }
            pool.shutdown();

            assertThat(shipped).as("some publishes succeed").isNotEmpty();
            assertThat(a.releases.content(a.releases.liveNumber()).items(CLUSTERS)).as("the final draft is live")
                    .hasSize(2 * perEditor);
            for (Shipped s : shipped) {
                ConfigSnapshot content = a.releases.content(s.release());
                assertThat(content.items(CLUSTERS)).as("release " + s.release() + " holds exactly the diff reviewed")
                        .isEqualTo(s.reviewed());
            }
            // No edit lost: every entry is at its second version.
            List<ConfigItem<AgentCluster>> draft = a.config.list(CLUSTERS);
            assertThat(draft).hasSize(2 * perEditor).allSatisfy(item -> {
                assertThat(item.version()).isEqualTo(2);
                assertThat(item.value().zones()).containsExactly("z1");
            });
            // Every change audited exactly once.
            for (ConfigItem<AgentCluster> item : draft) {
                assertThat(events(a, CLUSTERS.name(), item.key(), null)).extracting(AuditEvent::action)
                        .containsExactly(AuditAction.UPDATE, AuditAction.CREATE);
            }
            for (Shipped s : shipped) {
                assertThat(events(a, null, null, s.release())).extracting(AuditEvent::action)
                        .containsExactly(AuditAction.PUBLISH);
            }
            assertThat(events(a, null, null, null)).filteredOn(e -> e.action() == AuditAction.PUBLISH)
                    .hasSize(shipped.size());
            assertThat(a.outbox.pending()).isZero();
        }
    }

    @Test
    void aPublishOfARevisionOlderThanTheDraftIsRefusedNamingWhatChangedAndPublishesNothing() throws Exception {
        String root = TestZooKeeper.uniqueRoot();
        DataSource db = ControlPlaneStack.migratedDatabase();
        try (ControlPlaneStack a = new ControlPlaneStack(root, db); ControlPlaneStack b = new ControlPlaneStack(root, db)) {
            a.config.create(CLUSTERS, new AgentCluster("reviewed", "z", null), "alice");
            DraftDiff seen = a.releases.diff();
            assertThat(seen.draftRevision()).isEqualTo(1);
            b.config.create(CLUSTERS, new AgentCluster("unreviewed", "z", null), "bob");

            assertThatThrownBy(() -> a.releases.publish("ship it", seen.draftRevision(), "alice", null))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(HttpStatus.CONFLICT);
                        assertThat(e.getMessage()).contains("draft revision 1, now 2")
                                .contains("agent-clusters 'unreviewed'").doesNotContain("'reviewed'");
                    });
            assertThat(a.releases.liveNumber()).isZero();
            assertThatThrownBy(() -> a.releases.publish("ship it", null, "alice", null))
                    .isInstanceOfSatisfying(ConfigValidationException.class,
                            e -> assertThat(e.errors().get(0).field()).isEqualTo("draftRevision"));

            // A write landing while the release is built fails the publish too: nothing unreviewed ships.
            DraftDiff now = a.releases.diff();
            a.releases.beforeCommit(() -> call(() -> b.config.create(CLUSTERS, new AgentCluster("late", "z", null), "bob")));
            assertThatThrownBy(() -> a.releases.publish("ship it", now.draftRevision(), "alice", null))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(HttpStatus.CONFLICT);
                        assertThat(e.getMessage()).contains("changed while this was being published")
                                .contains("agent-clusters 'late'");
                    });
            a.releases.beforeCommit(() -> { });
            assertThat(a.releases.liveNumber()).isZero();
            assertThat(a.config.get(CLUSTERS, "late")).as("the late write is kept").isPresent();
            assertThat(events(a, null, null, null)).noneMatch(e -> e.action() == AuditAction.PUBLISH);

            DraftDiff last = a.releases.diff();
            long n = a.releases.publish("ship it", last.draftRevision(), "alice", null).release().number();
            assertThat(a.releases.content(n).items(CLUSTERS)).containsOnlyKeys("reviewed", "unreviewed", "late");
        }
    }

    /** The content the diff showed: its base release with its changes applied. */
    private static Map<String, AgentCluster> reviewed(ControlPlaneStack s, DraftDiff diff) throws Exception {
        Map<String, AgentCluster> content = new HashMap<>(diff.baseRelease() == 0 ? Map.of()
                : s.releases.content(diff.baseRelease()).items(CLUSTERS));
        for (DraftDiff.Change c : diff.changes()) {
            if (c.kind().equals(CLUSTERS.name())) {
                if (c.after() == null) {
                    content.remove(c.key());
                } else {
                    content.put(c.key(), (AgentCluster) c.after());
                }
            }
        }
        return content;
    }

    static List<AuditEvent> events(ControlPlaneStack s, String kind, String key, Long release) {
        return s.auditLog.query(new AuditQuery(null, null, kind, key, release, null, 0, 10_000));
    }

    interface Call {
        void run() throws Exception;
    }

    static void call(Call c) {
        try {
            c.run();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

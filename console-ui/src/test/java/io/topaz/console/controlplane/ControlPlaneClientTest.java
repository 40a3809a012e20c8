package io.topaz.console.controlplane;

import io.topaz.console.TestCluster;
import io.topaz.model.release.PublishTimings;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The client against a real control plane: each endpoint the console uses, and each kind of failure. */
class ControlPlaneClientTest {

    private final TestCluster cluster = TestCluster.get();

    @Test
    void readsWhoIsSignedInTheFleetAndTheDraft() {
        ControlPlaneClient admin = cluster.client(TestCluster.ADMIN_TOKEN);
        assertThat(admin.me()).isEqualTo(new Operator("bootstrap-admin", Role.ADMIN));
        assertThat(cluster.client(cluster.token(Role.VIEWER)).me().role()).isEqualTo(Role.VIEWER);

        Fleet fleet = admin.fleet();
        assertThat(fleet.items()).extracting(AgentStatus::id).contains("agent-1", "agent-2");
        AgentStatus one = fleet.items().stream().filter(a -> a.id().equals("agent-1")).findFirst().orElseThrow();
        assertThat(one.zone()).isEqualTo("zone-a");
        assertThat(one.cluster()).isEqualTo("blue");
        assertThat(one.adminPort()).isEqualTo(cluster.agents().get(0).adminPort());

        List<DraftItem> apis = admin.list("apis");
        DraftItem trade = apis.stream().filter(i -> i.key().equals("taobao.trade.get")).findFirst().orElseThrow();
        assertThat(trade.version()).isPositive();
        assertThat(trade.value()).containsEntry("apiGroup", "trade").containsEntry("timeoutMillis", 2000);
        assertThat((List<?>) trade.value().get("upstreams")).hasSize(2);
    }

    @Test
    void writesWithVersionsAndReportsConflictsAndFieldErrors() {
        ControlPlaneClient op = cluster.client(cluster.token(Role.OPERATOR));
        DraftItem created = op.create("agent-clusters", Map.of("name", "client-test", "zone", "zone-c"));
        assertThat(created.version()).isEqualTo(1);
        DraftItem updated = op.update("agent-clusters", "client-test", 1,
                Map.of("name", "client-test", "zone", "zone-c", "description", "changed"));
        assertThat(updated.version()).isEqualTo(2);

        assertThatThrownBy(() -> op.update("agent-clusters", "client-test", 1, Map.of("name", "client-test", "zone", "z")))
                .isInstanceOfSatisfying(ControlPlaneException.class, e -> {
                    assertThat(e.problem()).isEqualTo(ControlPlaneException.Problem.CONFLICT);
                    assertThat(e.getMessage()).contains("is at version 2, not 1");
                });

        assertThatThrownBy(() -> op.create("flow-rules", Map.of("id", "client-bad", "scope", "API",
                "method", "taobao.time.get", "qps", 0)))
                .isInstanceOfSatisfying(ControlPlaneException.class, e -> {
                    assertThat(e.problem()).isEqualTo(ControlPlaneException.Problem.INVALID);
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.fieldProblems()).extracting(FieldProblem::field).containsExactly("qps");
                    assertThat(e.fieldProblems().get(0).message()).isEqualTo("qps must be between 1 and 10000000, was 0");
                });

        op.delete("agent-clusters", "client-test", 2);
        assertThat(op.list("agent-clusters")).extracting(DraftItem::key).doesNotContain("client-test");
    }

    @Test
    void aRoleTooLowIsForbiddenWithTheControlPlanesMessage() {
        ControlPlaneClient viewer = cluster.client(cluster.token(Role.VIEWER));
        assertThatThrownBy(() -> viewer.create("agent-clusters", Map.of("name", "nope", "zone", "z")))
                .isInstanceOfSatisfying(ControlPlaneException.class, e -> {
                    assertThat(e.problem()).isEqualTo(ControlPlaneException.Problem.FORBIDDEN);
                    assertThat(e.operatorMessage()).isEqualTo(
                            "Not allowed for your role: your token's role may not POST /api/v1/agent-clusters");
                });
        ControlPlaneClient operator = cluster.client(cluster.token(Role.OPERATOR));
        assertThatThrownBy(() -> operator.create("apps", Map.of("appKey", "op-app")))
                .isInstanceOfSatisfying(ControlPlaneException.class,
                        e -> assertThat(e.problem()).isEqualTo(ControlPlaneException.Problem.FORBIDDEN));
    }

    @Test
    void anUnknownTokenIsUnauthorizedAndAClosedPortUnreachable() throws Exception {
        assertThatThrownBy(() -> cluster.client("tpz_not-a-token-of-this-control-plane").me())
                .isInstanceOfSatisfying(ControlPlaneException.class,
                        e -> assertThat(e.problem()).isEqualTo(ControlPlaneException.Problem.UNAUTHORIZED));
        ControlPlaneClient nowhere = new ControlPlaneClient(URI.create("http://127.0.0.1:" + TestCluster.freePort()),
                TestCluster.ADMIN_TOKEN, Duration.ofSeconds(1), Duration.ofSeconds(2));
        assertThatThrownBy(nowhere::fleet).isInstanceOfSatisfying(ControlPlaneException.class, e -> {
            assertThat(e.problem()).isEqualTo(ControlPlaneException.Problem.UNREACHABLE);
            assertThat(e.getMessage()).startsWith("cannot reach the control plane at http://127.0.0.1:")
                    .doesNotContain(TestCluster.ADMIN_TOKEN);
        });
    }

    @Test
    void diffPublishHistoryAndAudit() {
        String token = cluster.token(Role.OPERATOR);
        ControlPlaneClient op = cluster.client(token);
        String actor = op.me().name();
        Instant before = Instant.now().minusSeconds(1);
        op.create("agent-clusters", Map.of("name", "client-diff", "zone", "zone-d"));
        DraftDiff diff = op.diff();
        assertThat(diff.changes()).anySatisfy(c -> {
            assertThat(c.key()).isEqualTo("client-diff");
            assertThat(c.type()).isEqualTo(DraftChange.ChangeType.ADDED);
            assertThat(c.after()).containsEntry("zones", java.util.List.of("zone-d"));
        });
        ReleaseSummary published = op.publish(diff.draftRevision(), "client test: add client-diff", null);
        assertThat(published.number()).isGreaterThan(diff.baseRelease());
        assertThat(op.releases(5).get(0).number()).isEqualTo(published.number());
        assertThat(op.releases(5).get(0).live()).isTrue();
        assertThatThrownBy(() -> op.publish(op.diff().draftRevision(), "again", null)).isInstanceOfSatisfying(ControlPlaneException.class,
                e -> assertThat(e.problem()).isEqualTo(ControlPlaneException.Problem.CONFLICT));

        List<AuditEvent> mine = op.audit(new AuditFilter(before, null, null, null, null, actor), 0, 50);
        assertThat(mine).extracting(AuditEvent::action).containsExactly("PUBLISH", "CREATE");
        assertThat(op.audit(new AuditFilter(null, null, "agent-clusters", "client-diff", null, null), 0, 50))
                .singleElement().satisfies(e -> assertThat(e.actor()).isEqualTo(actor));
        assertThat(op.audit(new AuditFilter(null, null, null, null, published.number(), null), 0, 50))
                .singleElement().satisfies(e -> assertThat(e.detail()).contains("client test: add client-diff"));
        cluster.awaitApplied(published.number());
    }

    @Test
    void aPublishWaitsOutTheControlPlanesPublishLockAndARepeatWithItsKeyAnswersTheSameRelease() throws Exception {
        // An impatient client: 1 s for ordinary calls. Its publishes must still outlast the server's lock wait.
        ControlPlaneClient op = new ControlPlaneClient(URI.create(cluster.url()), cluster.token(Role.OPERATOR),
                Duration.ofSeconds(1), Duration.ofSeconds(1));
        assertThat(op.publishTimeout()).isGreaterThan(PublishTimings.SERVER_MAX).isGreaterThan(PublishTimings.LOCK_WAIT);
        op.create("agent-clusters", Map.of("name", "client-slow", "zone", "zone-s"));
        long revision = op.diff().draftRevision();
        String key = java.util.UUID.randomUUID().toString();
        try (CuratorFramework zk = CuratorFrameworkFactory.newClient(cluster.zkConnect(), new RetryOneTime(100))) {
            zk.start();
            InterProcessMutex lock = new InterProcessMutex(zk, ZkLayout.defaults().publishLock());
            assertThat(lock.acquire(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<ReleaseSummary> publish;
            try {
                publish = CompletableFuture.supplyAsync(() -> op.publish(revision, "client test: slow", key));
                await().atMost(Duration.ofSeconds(10)).until(() -> lock.getParticipantNodes().size() == 2);
                // Another publish holds the lock past the client's ordinary timeout: this one must still be waiting.
                assertThatThrownBy(() -> publish.get(1500, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
            } finally {
                lock.release();
            }
            ReleaseSummary published = publish.get(30, TimeUnit.SECONDS);
            assertThat(published.draftRevision()).isEqualTo(revision);
            ReleaseSummary repeated = op.publish(revision, "client test: slow", key);
            assertThat(repeated.number()).isEqualTo(published.number());
            assertThat(op.releases(5).get(0).number()).isEqualTo(published.number());
            cluster.awaitApplied(published.number());
        }
    }
}

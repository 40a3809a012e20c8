package io.topaz.control.release;

import io.topaz.control.TestZooKeeper;
import io.topaz.control.audit.AuditAction;
import io.topaz.control.web.ApiException;
import io.topaz.model.config.AgentCluster;
import io.topaz.model.config.ConfigKind;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

import javax.sql.DataSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.topaz.control.release.PublishConsistencyTest.call;
import static io.topaz.control.release.PublishConsistencyTest.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A client that timed out repeats its publish with the same {@code Idempotency-Key}: on either control plane it gets
 * the release the first request made, never a second one; while the first still runs, the same control plane says it
 * is in progress and the other waits for it and answers its release.
 */
class IdempotentPublishTest {

    private static final ConfigKind<AgentCluster> CLUSTERS = ConfigKind.AGENT_CLUSTERS;

    @Test
    void aRepeatWithTheSameKeyAnswersTheSameReleaseWithoutPublishingTwice() throws Exception {
        String root = TestZooKeeper.uniqueRoot();
        DataSource db = ControlPlaneStack.migratedDatabase();
        try (ControlPlaneStack a = new ControlPlaneStack(root, db); ControlPlaneStack b = new ControlPlaneStack(root, db)) {
            a.config.create(CLUSTERS, new AgentCluster("c1", "z", null), "alice");
            long rev = a.releases.diff().draftRevision();
            ReleaseService.Published first = a.releases.publish("once", rev, "alice", "key-1");
            assertThat(first.replayed()).isFalse();

            ReleaseService.Published again = b.releases.publish("once", rev, "alice", "key-1");
            assertThat(again.replayed()).isTrue();
            assertThat(again.release().number()).isEqualTo(first.release().number());
            assertThat(a.releaseStore.numbers()).containsExactly(first.release().number());
            assertThat(events(a, null, null, null)).filteredOn(e -> e.action() == AuditAction.PUBLISH).hasSize(1);

            assertThatThrownBy(() -> a.releases.publish("once", rev + 1, "alice", "key-1"))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(HttpStatus.CONFLICT);
                        assertThat(e.getMessage()).contains("already used");
                    });

            // In progress: the first request holds the publish lock until released.
            a.config.create(CLUSTERS, new AgentCluster("c2", "z", null), "alice");
            long rev2 = a.releases.diff().draftRevision();
            CountDownLatch committing = new CountDownLatch(1);
            CountDownLatch proceed = new CountDownLatch(1);
            a.releases.beforeCommit(() -> call(() -> {
                committing.countDown();
                assertThat(proceed.await(30, TimeUnit.SECONDS)).isTrue();
            }));
            CompletableFuture<ReleaseService.Published> slow = CompletableFuture.supplyAsync(() -> publish(a, rev2));
            assertThat(committing.await(30, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(() -> a.releases.publish("twice", rev2, "alice", "key-2"))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(HttpStatus.CONFLICT);
                        assertThat(e.getMessage()).contains("in progress");
                    });
            CompletableFuture<ReleaseService.Published> other = CompletableFuture.supplyAsync(() -> publish(b, rev2));
            proceed.countDown();
            ReleaseService.Published made = slow.get(30, TimeUnit.SECONDS);
            ReleaseService.Published answered = other.get(30, TimeUnit.SECONDS);
            assertThat(made.replayed()).isFalse();
            assertThat(answered.replayed()).isTrue();
            assertThat(answered.release().number()).isEqualTo(made.release().number());
            assertThat(a.releaseStore.numbers()).hasSize(2);
            assertThat(events(a, null, null, null)).filteredOn(e -> e.action() == AuditAction.PUBLISH).hasSize(2);
        }
    }

    private static ReleaseService.Published publish(ControlPlaneStack s, long rev) {
        try {
            return s.releases.publish("twice", rev, "alice", "key-2");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

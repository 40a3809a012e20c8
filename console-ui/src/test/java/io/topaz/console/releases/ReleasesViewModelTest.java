package io.topaz.console.releases;

import io.topaz.console.TestCluster;
import io.topaz.console.common.Session;
import io.topaz.console.controlplane.DraftChange;
import io.topaz.console.controlplane.DraftItem;
import io.topaz.console.controlplane.ReleaseSummary;
import io.topaz.console.controlplane.Role;
import io.topaz.agent.TopazAgent;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ReleasesViewModelTest {

    private final TestCluster cluster = TestCluster.get();

    private static void awaitRollout(ReleasesViewModel vm) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            vm.pollRollout();
            return vm.rolloutProperty().get().isComplete();
        });
    }

    @Test
    void showsTheDiffPublishesWithAMessageAndFollowsEachAgentToTheNewRelease() {
        Session operator = cluster.session(Role.OPERATOR);
        ReleasesViewModel vm = new ReleasesViewModel(operator, TestCluster.directWork(), Clock.systemUTC());
        operator.client().create("agent-clusters", Map.of("name", "releases-test", "zones", List.of("zone-r")));
        vm.refresh();
        long live = vm.liveReleaseProperty().get();
        DraftChange added = vm.changes().stream().filter(c -> c.key().equals("releases-test")).findFirst().orElseThrow();
        assertThat(added.type()).isEqualTo(DraftChange.ChangeType.ADDED);
        assertThat(vm.diffSummaryProperty().get()).endsWith("against live release " + live);
        vm.selectedChangeProperty().set(added);
        assertThat(vm.changeDetailProperty().get()).startsWith("ADDED agent-clusters 'releases-test'")
                .contains("zones").contains("\"zone-r\"").doesNotContain("Live:");

        assertThat(vm.canPublish().get()).as("a message is required").isFalse();
        vm.publishMessageProperty().set("add the releases-test cluster");
        assertThat(vm.canPublish().get()).isTrue();
        vm.publish();

        Rollout rollout = vm.rolloutProperty().get();
        assertThat(rollout.release()).isGreaterThan(live);
        assertThat(vm.publishMessageProperty().get()).isEmpty();
        awaitRollout(vm);
        assertThat(rollout.agents()).extracting(AgentProgress::agentId).containsExactlyInAnyOrder("agent-1", "agent-2");
        assertThat(rollout.agents()).allSatisfy(a -> assertThat(a.doneProperty().get()).isTrue());
        assertThat(rollout.progressProperty().get()).isEqualTo(1.0);
        assertThat(rollout.summaryProperty().get()).startsWith("Release " + rollout.release() + ": all 2 agents applied it");
        assertThat(cluster.agents()).allSatisfy(a -> assertThat(a.appliedRelease()).isGreaterThanOrEqualTo(rollout.release()));

        assertThat(vm.history().get(0).number()).isEqualTo(rollout.release());
        assertThat(vm.history().get(0).message()).isEqualTo("add the releases-test cluster");
        assertThat(vm.history().get(0).live()).isTrue();
        assertThat(vm.changes()).isEmpty();
        assertThat(vm.diffSummaryProperty().get()).isEqualTo("Nothing to publish: the draft equals live release "
                + rollout.release());
        assertThat(vm.canPublish().get()).isFalse();
    }

    @Test
    void aModifiedEntryShowsWhatChangedAndARefusedPublishSaysWhy() {
        Session operator = cluster.session(Role.OPERATOR);
        ReleasesViewModel vm = new ReleasesViewModel(operator, TestCluster.directWork(), Clock.systemUTC());
        vm.refresh();
        vm.publishMessageProperty().set("nothing");
        vm.publish();
        assertThat(vm.messageProperty().get()).startsWith("Not published: nothing to publish: the draft equals live release");

        DraftItem bad = operator.client().create("flow-rules", Map.of("id", "releases-dangling", "scope", "API",
                "method", "taobao.nothing.here", "qps", 10));
        try {
            vm.refresh();
            vm.publishMessageProperty().set("a rule for an API that does not exist");
            vm.publish();
            assertThat(vm.messageProperty().get()).isEqualTo("Not published: "
                    + "flow-rules['releases-dangling'].method must name an existing API, was taobao.nothing.here");
            assertThat(vm.rolloutProperty().get()).isNull();
        } finally {
            operator.client().delete("flow-rules", "releases-dangling", bad.version());
        }

        DraftItem cluster1 = operator.client().list("agent-clusters").stream()
                .filter(i -> i.key().equals("blue")).findFirst().orElseThrow();
        operator.client().update("agent-clusters", "blue", cluster1.version(),
                Map.of("name", "blue", "zones", List.of("zone-a"), "description", "renamed in a test"));
        vm.refresh();
        DraftChange modified = vm.changes().stream().filter(c -> c.key().equals("blue")).findFirst().orElseThrow();
        vm.selectedChangeProperty().set(modified);
        assertThat(vm.changeDetailProperty().get()).startsWith("MODIFIED agent-clusters 'blue'")
                .contains("  description: first test cluster → renamed in a test").contains("Live:").contains("Draft:");
        vm.publishMessageProperty().set("describe blue");
        vm.publish();
        awaitRollout(vm);
    }

    @Test
    void rollsBackToAChosenReleaseAndFollowsTheRollout() {
        Session operator = cluster.session(Role.OPERATOR);
        ReleasesViewModel vm = new ReleasesViewModel(operator, TestCluster.directWork(), Clock.systemUTC());
        operator.client().create("agent-clusters", Map.of("name", "rollback-test", "zones", List.of("zone-x")));
        vm.refresh();
        ReleaseSummary before = vm.history().get(0);
        vm.publishMessageProperty().set("add rollback-test");
        vm.publish();
        awaitRollout(vm);
        assertThat(cluster.agents().get(0).snapshot().items(io.topaz.model.config.ConfigKind.AGENT_CLUSTERS))
                .containsKey("rollback-test");

        vm.rollback(before, "undo rollback-test");
        Rollout rollout = vm.rolloutProperty().get();
        awaitRollout(vm);
        assertThat(vm.history().get(0).rollbackOf()).isEqualTo(before.number());
        assertThat(vm.history().get(0).number()).isEqualTo(rollout.release());
        for (TopazAgent a : cluster.agents()) {
            assertThat(a.snapshot().items(io.topaz.model.config.ConfigKind.AGENT_CLUSTERS)).doesNotContainKey("rollback-test");
        }
        assertThat(vm.changes()).as("the draft was reset to the rolled-back content").isEmpty();
    }

    @Test
    void aViewerMayNotPublishOrRollBack() {
        Session viewer = cluster.session(Role.VIEWER);
        ReleasesViewModel vm = new ReleasesViewModel(viewer, TestCluster.directWork(), Clock.systemUTC());
        vm.refresh();
        assertThat(vm.mayPublish()).isFalse();
        vm.publishMessageProperty().set("sneaky");
        assertThat(vm.canPublish().get()).isFalse();
        long live = vm.liveReleaseProperty().get();
        vm.publish();
        vm.rollback(vm.history().get(vm.history().size() - 1), "sneaky");
        vm.refresh();
        assertThat(vm.liveReleaseProperty().get()).isEqualTo(live);
        assertThat(vm.rolloutProperty().get()).isNull();
    }

    @Test
    void aPublishOfADiffThatMovedSinceIsRefusedAndTheNewDiffShown() {
        Session operator = cluster.session(Role.OPERATOR);
        Session other = cluster.session(Role.OPERATOR);
        ReleasesViewModel vm = new ReleasesViewModel(operator, TestCluster.directWork(), Clock.systemUTC());
        operator.client().create("agent-clusters", Map.of("name", "releases-seen", "zones", List.of("zone-s")));
        vm.refresh();
        long live = vm.liveReleaseProperty().get();
        other.client().create("agent-clusters", Map.of("name", "releases-unseen", "zones", List.of("zone-u")));

        vm.publishMessageProperty().set("add releases-seen");
        vm.publish();
        assertThat(vm.messageProperty().get()).startsWith("Not published: the draft changed since you reviewed it")
                .contains("agent-clusters 'releases-unseen'").contains("review it and publish again");
        assertThat(vm.rolloutProperty().get()).isNull();
        assertThat(vm.changes()).as("the screen now shows the draft as it is")
                .extracting(DraftChange::key).contains("releases-seen", "releases-unseen");
        assertThat(other.client().releases(1).get(0).number()).isEqualTo(live);

        vm.publish();
        awaitRollout(vm);
        assertThat(vm.history().get(0).number()).isGreaterThan(live);
        assertThat(cluster.agents().get(0).snapshot().items(io.topaz.model.config.ConfigKind.AGENT_CLUSTERS))
                .containsKeys("releases-seen", "releases-unseen");
    }
}

package io.topaz.agent.broker.cluster;

import io.topaz.agent.broker.BrokerException;
import io.topaz.agent.broker.BrokerMessage;
import io.topaz.agent.broker.ConfirmOutcome;
import io.topaz.agent.broker.Delivery;
import io.topaz.agent.broker.QueueName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Two or three in-process broker agents on one ZooKeeper: routing to owners, owners dying, returning and stopping. */
class ClusterBrokerTest {

    BrokerCluster cluster;

    @BeforeEach
    void cluster() throws Exception {
        cluster = new BrokerCluster();
    }

    @AfterEach
    void close() throws Exception {
        cluster.close();
    }

    static List<Long> ids(List<Delivery> deliveries) {
        return deliveries.stream().map(d -> d.message().id()).toList();
    }

    static <T> T get(java.util.concurrent.CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    void producedThroughOneAgentConsumedThroughAnother() throws Exception {
        BrokerCluster.Agent a = cluster.start("a");
        BrokerCluster.Agent b = cluster.start("b");
        BrokerCluster.Agent c = cluster.start("c");
        cluster.awaitViews();
        List<QueueName> queues = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            queues.add(new QueueName("app" + i, "default"));
        }
        // every agent computes the same owner, and the queues spread over the agents
        for (QueueName q : queues) {
            String owner = a.node.ownership().owner(q).orElseThrow().id();
            assertThat(b.node.ownership().owner(q).orElseThrow().id()).isEqualTo(owner);
            assertThat(c.node.ownership().owner(q).orElseThrow().id()).isEqualTo(owner);
        }
        assertThat(queues.stream().map(q -> a.node.ownership().owner(q).orElseThrow().id()).distinct()).hasSize(3);

        BrokerMessage first = a.message("taobao_trade_TradeCreate", 7);
        BrokerMessage second = a.message("taobao_trade_TradeChanged", 7);
        get(a.broker().publish(first, queues));
        get(a.broker().publish(second, queues));

        for (QueueName q : queues) {
            String owner = a.node.ownership().owner(q).orElseThrow().id();
            for (BrokerCluster.Agent x : cluster.running()) { // stored once, at the owner only
                assertThat(x.disk.ids(q)).isEqualTo(x.id.equals(owner) ? List.of(first.id(), second.id()) : List.of());
            }
            List<Delivery> got = get(b.broker().consume(q, 10));
            assertThat(ids(got)).containsExactly(first.id(), second.id());
            assertThat(got.get(0).message()).isEqualTo(first);
            assertThat(got.get(0).attempt()).isEqualTo(1);
            ConfirmOutcome outcome = get(c.broker().confirm(q, new long[] {first.id(), 424242L}, new long[] {second.id()}));
            assertThat(outcome).isEqualTo(new ConfirmOutcome(1, 1, 1));
            assertThat(ids(get(c.broker().consume(q, 10)))).containsExactly(second.id()); // failed: delivered again
        }
    }

    @Test
    void aKilledOwnersQueuesMoveForNewMessagesAndComeBackWithTheInterimBacklog() throws Exception {
        BrokerCluster.Agent a = cluster.start("a");
        BrokerCluster.Agent b = cluster.start("b");
        cluster.awaitViews();
        QueueName q = cluster.queueOwnedBy("b", "app");
        BrokerMessage before = a.message("t", 1);
        get(a.broker().publish(before, List.of(q)));
        assertThat(b.disk.ids(q)).containsExactly(before.id());

        b.kill();
        await().atMost(Duration.ofSeconds(15)).until(() -> a.view().equals(Set.of("a")));
        BrokerMessage during = a.message("t", 1);
        get(a.broker().publish(during, List.of(q)));
        assertThat(a.disk.ids(q)).containsExactly(during.id());

        // b returns with its disk: it owns q again, and a hands what it took meanwhile over to b
        BrokerCluster.Agent back = cluster.start("b");
        cluster.awaitViews();
        await().atMost(Duration.ofSeconds(15)).until(() -> a.disk.queues().isEmpty());
        assertThat(back.disk.ids(q)).containsExactly(before.id(), during.id());
        assertThat(ids(get(a.broker().consume(q, 10)))).containsExactly(before.id(), during.id());
        // b kept its backlog while it started (it did not hand it to a before its own registration was seen)
        assertThat(a.disk.everAppended(q)).containsExactly(during.id());
    }

    @Test
    void aReturningAgentHandsOverQueuesItNoLongerOwnsAndStopsServingThem() throws Exception {
        BrokerCluster.Agent a = cluster.start("a");
        BrokerCluster.Agent b = cluster.start("b");
        cluster.awaitViews();
        QueueName q = cluster.queueOwnedBy("a", "app");
        BrokerMessage m1 = a.message("t", 3);
        BrokerMessage m2 = a.message("t", 3);
        BrokerMessage m3 = a.message("t", 3);
        BrokerMessage m4 = a.message("t", 3);
        b.kill();
        // b's disk still holds a backlog of q from when b owned it (more than one hand-over batch of 3)
        BrokerCluster.Agent[] holder = new BrokerCluster.Agent[1];
        InMemoryQueues disk = cluster.disks.get("b");
        disk.reopen();
        for (BrokerMessage m : List.of(m1, m2, m3, m4)) {
            get(disk.append(m, List.of(q)));
        }
        holder[0] = cluster.start("b");
        cluster.awaitViews();
        await().atMost(Duration.ofSeconds(15)).until(() -> holder[0].disk.queues().isEmpty());
        assertThat(a.disk.ids(q)).containsExactly(m1.id(), m2.id(), m3.id(), m4.id());
        // consumed through b, served by the owner a
        assertThat(ids(get(holder[0].broker().consume(q, 10)))).containsExactly(m1.id(), m2.id(), m3.id(), m4.id());
        assertThat(holder[0].disk.queues()).isEmpty();
    }

    @Test
    void anAgentNotRegisteredYetKeepsItsBacklogUntilOthersCountIt() throws Exception {
        BrokerCluster.Agent a = cluster.start("a");
        QueueName q = null;
        for (int i = 0; q == null; i++) {
            QueueName candidate = new QueueName("app" + i, "default");
            if (Rendezvous.owner(candidate.key(), List.of("a", "b")).equals("a")) {
                q = candidate;
            }
        }
        InMemoryQueues disk = cluster.disks.computeIfAbsent("b", k -> new InMemoryQueues());
        BrokerMessage m = a.message("t", 5);
        get(disk.append(m, List.of(q)));
        BrokerCluster.Agent b = cluster.startUnregistered("b");
        await().atMost(Duration.ofSeconds(15)).until(() -> b.view().equals(Set.of("a")));
        // b sees only a, which owns every queue in that view; but the others do not count b yet: it keeps its queues
        assertThat(b.broker().handOverForeignQueues()).isTrue();
        assertThat(b.disk.ids(q)).containsExactly(m.id());
        assertThat(a.disk.everAppended(q)).isEmpty();

        b.register(); // now it is one of the cluster, and q (owned by a) goes to a
        cluster.awaitViews();
        QueueName handed = q;
        await().atMost(Duration.ofSeconds(15)).until(() -> b.disk.queues().isEmpty());
        assertThat(a.disk.ids(handed)).containsExactly(m.id());
    }

    @Test
    void aGracefulStopHandsEveryQueueOverBeforeItReturns() throws Exception {
        BrokerCluster.Agent a = cluster.start("a");
        BrokerCluster.Agent b = cluster.start("b");
        BrokerCluster.Agent c = cluster.start("c");
        cluster.awaitViews();
        List<QueueName> queues = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            queues.add(new QueueName("app" + i, "g"));
        }
        List<Long> published = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            BrokerMessage m = a.message("t", 9);
            get(a.broker().publish(m, queues));
            published.add(m.id());
        }
        List<QueueName> ofB = queues.stream().filter(q -> b.node.ownership().ownsLocally(q)).toList();
        assertThat(ofB).isNotEmpty();
        // one delivered and unconfirmed: in flight at b, handed over too (at least once)
        assertThat(ids(get(a.broker().consume(ofB.get(0), 1)))).containsExactly(published.get(0));

        b.stop();

        assertThat(cluster.disks.get("b").queues()).isEmpty();
        for (QueueName q : ofB) {
            String owner = a.node.ownership().owner(q).orElseThrow().id();
            assertThat(owner).isIn("a", "c");
            assertThat(cluster.agents.get(owner).disk.ids(q)).containsExactlyElementsOf(published);
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> a.view().equals(Set.of("a", "c")));
        for (QueueName q : ofB) {
            assertThat(ids(get(c.broker().consume(q, 10)))).containsExactlyElementsOf(published);
        }
    }

    @Test
    void aRollingRestartMovesNoMessageToDeliveredLater() throws Exception {
        for (String id : List.of("a", "b", "c")) {
            cluster.start(id);
        }
        cluster.awaitViews();
        List<QueueName> queues = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            queues.add(new QueueName("app" + i, "default"));
        }
        List<Long> published = new ArrayList<>();
        for (String id : List.of("a", "b", "c", "a")) {
            BrokerCluster.Agent producer = cluster.running().stream().filter(x -> !x.id.equals(id)).findFirst()
                    .orElseThrow();
            for (int i = 0; i < 3; i++) {
                BrokerMessage m = producer.message("t", 4);
                get(producer.broker().publish(m, queues));
                published.add(m.id());
            }
            cluster.agents.get(id).stop();
            // while it is away, every queue's whole backlog is at its current owner
            for (QueueName q : queues) {
                String owner = producer.node.ownership().owner(q).orElseThrow().id();
                assertThat(cluster.agents.get(owner).disk.ids(q)).as("%s at %s", q, owner)
                        .containsExactlyInAnyOrderElementsOf(published);
            }
            cluster.start(id);
            cluster.awaitViews();
            await().atMost(Duration.ofSeconds(15)).until(() -> queues.stream().allMatch(q -> {
                String owner = producer.node.ownership().owner(q).orElseThrow().id();
                return cluster.running().stream().allMatch(x -> x.id.equals(owner)
                        ? x.disk.ids(q).size() == published.size() : !x.disk.queues().contains(q));
            }));
        }
        BrokerCluster.Agent consumer = cluster.running().get(0);
        for (QueueName q : queues) {
            assertThat(ids(get(consumer.broker().consume(q, 100)))).containsExactlyInAnyOrderElementsOf(published);
        }
    }

    @Test
    void anOwnersSessionExpiryLosesNothingAndTheQueueEndsUpAtItsOwner() throws Exception {
        BrokerCluster.Agent a = cluster.start("a");
        BrokerCluster.Agent b = cluster.start("b");
        cluster.awaitViews();
        QueueName q = cluster.queueOwnedBy("b", "app");
        List<Long> published = new ArrayList<>();
        BrokerMessage before = a.message("t", 2);
        get(a.broker().publish(before, List.of(q)));
        published.add(before.id());

        b.curator.getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
        // producing goes on meanwhile: a publish may fail while the owner changes, and the producer retries
        for (int i = 0; i < 20; i++) {
            BrokerMessage m = a.message("t", 2);
            await().atMost(Duration.ofSeconds(15)).ignoreExceptions()
                    .until(() -> a.broker().publish(m, List.of(q)).get(5, TimeUnit.SECONDS) == null);
            published.add(m.id());
        }
        // b registers again with a new session and owns q again: whatever a took meanwhile comes back to b
        cluster.awaitViews();
        await().atMost(Duration.ofSeconds(15)).until(() -> a.disk.queues().isEmpty()
                && b.disk.ids(q).containsAll(published));
        assertThat(ids(get(a.broker().consume(q, 100)))).containsAll(published);
    }

    @Test
    void anUnreachableOwnerFailsThePublishAsUnavailable() throws Exception {
        BrokerCluster.Agent a = cluster.start("a");
        BrokerCluster.Agent b = cluster.start("b");
        cluster.awaitViews();
        QueueName q = cluster.queueOwnedBy("b", "app");
        b.node.server().close(); // b is registered but its port no longer answers
        BrokerMessage m = a.message("t", 1);
        assertThatThrownBy(() -> get(a.broker().publish(m, List.of(q))))
                .hasCauseInstanceOf(BrokerException.class)
                .satisfies(e -> assertThat(((BrokerException) e.getCause()).kind())
                        .isEqualTo(BrokerException.Kind.UNAVAILABLE));
    }
}

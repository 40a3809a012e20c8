package io.topaz.agent.broker.push;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.topaz.agent.broker.BrokerMessage;
import io.topaz.agent.broker.QueueName;
import io.topaz.agent.broker.cluster.BrokerNode;
import io.topaz.agent.broker.cluster.PushCluster;
import io.topaz.agent.tmc.PushFixture;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.topaz.agent.tmc.PushFixture.CHANGED;
import static io.topaz.agent.tmc.PushFixture.CONSUMER;
import static io.topaz.agent.tmc.PushFixture.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A graceful stop of the agent that owns a push consumer's queue, with the consumer connected to it: the agent hands
 * its queues over first and closes the push connection only afterwards (1001, "agent stopping"), so when the client
 * sees the close, every unconfirmed message — those it was pushed and did not confirm included — is at the new
 * owner, and the client reconnecting to the other agent gets them again.
 */
class PushGracefulStopTest {

    @Test
    void aStoppingOwnerClosesItsPushConnectionsOnlyAfterHandingItsQueuesOver() throws Exception {
        try (PushFixture world = new PushFixture(); PushCluster cluster = new PushCluster()) {
            BrokerNode a = cluster.start("a");
            BrokerNode b = cluster.start("b");
            cluster.awaitViews();
            QueueName q = new QueueName(CONSUMER, "default");
            String ownerId = a.ownership().owner(q).orElseThrow().id();
            BrokerNode owner = ownerId.equals("a") ? a : b;
            BrokerNode other = owner == a ? b : a;
            String otherId = owner == a ? "b" : "a";
            PushServer atOwner = install(world, owner);
            PushServer atOther = install(world, other);

            Set<Long> produced = new HashSet<>();
            try (WsTestClient c = WsTestClient.open(owner.port())) {
                c.send(WsTestClient.connect(1, CONSUMER, "default", System.currentTimeMillis(), SECRET));
                String token = c.frame().token();
                for (int i = 0; i < 5; i++) {
                    BrokerMessage m = cluster.message(ownerId, CHANGED, 1001);
                    owner.broker().publish(m, List.of(q)).get(10, TimeUnit.SECONDS);
                    produced.add(m.id());
                }
                // the first is confirmed, the others stay unconfirmed (a window shrinks to 4 without confirmations)
                long confirmed = (Long) c.frame().fields().get("id");
                c.send(SpecBytes.frame(2, 2).token(token).byteField("__kind", 2).longField("id", confirmed).end());
                Set<Long> pushed = new HashSet<>(Set.of(confirmed));
                for (int i = 0; i < 4; i++) {
                    pushed.add((Long) c.frame().fields().get("id"));
                }
                assertThat(pushed).isEqualTo(produced);
                await().atMost(Duration.ofSeconds(10)).until(() -> cluster.unconfirmed(ownerId, q) == 4);
                assertThat(atOwner.connectionList()).hasSize(1);
                // what the control plane reads: the broker port's GET /internal/v1/connections (AGENT token)
                HttpResponse<String> listed = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + owner.port() + "/internal/v1/connections"))
                        .header("Authorization", "Bearer " + PushCluster.AGENT_TOKEN).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(listed.statusCode()).isEqualTo(200);
                assertThat(listed.body()).contains("\"agentId\":\"" + ownerId + "\"", "\"app\":\"" + CONSUMER + "\"",
                        "\"inFlight\":4", "\"pushed\":5", "\"confirmed\":1");

                CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> cluster.stop(ownerId));
                // while the owner drains, the connection is still served (through the new owner): it may be pushed
                // the handed-over messages again (at least once) before the close
                Object o;
                while ((o = c.next()) instanceof byte[]) {
                    assertThat(produced).contains((Long) SpecReader.read((byte[]) o).fields().get("id"));
                }
                assertThat(o).isInstanceOf(WsTestClient.Closed.class);
                WsTestClient.Closed closed = (WsTestClient.Closed) o;
                // the close comes after the hand-over: the four unconfirmed messages are at the new owner already
                assertThat(cluster.unconfirmed(otherId, q)).as("handed over before the close").isEqualTo(4);
                assertThat(closed.code()).isEqualTo(1001);
                assertThat(closed.reason()).contains("agent stopping");
                stopping.get(30, TimeUnit.SECONDS);
                produced.remove(confirmed);
            }

            try (WsTestClient c = WsTestClient.open(other.port())) {
                c.send(WsTestClient.connect(2, CONSUMER, "default", System.currentTimeMillis(), SECRET));
                String token = c.frame().token();
                Set<Long> again = new HashSet<>();
                for (int i = 0; i < 4; i++) {
                    long id = (Long) c.frame().fields().get("id");
                    again.add(id);
                    c.send(SpecBytes.frame(2, 2).token(token).byteField("__kind", 2).longField("id", id).end());
                }
                assertThat(again).isEqualTo(produced);
                await().atMost(Duration.ofSeconds(10)).until(() -> cluster.unconfirmed(otherId, q) == 0);
                assertThat(atOther.connectionList()).hasSize(1);
            }
        }
    }

    private static PushServer install(PushFixture world, BrokerNode node) {
        PushServer push = new PushServer(node.broker(), world.metadata(), world::config, world.apis(),
                PushSettings.defaults().withPollInterval(Duration.ofMillis(50)), Clock.systemUTC(),
                new SimpleMeterRegistry());
        node.server().pipelineTail(push::install);
        node.server().push(push);
        node.clusterBroker().onStored(push::stored);
        node.afterDrain(() -> push.closeAll(Duration.ofSeconds(5)));
        return push;
    }
}

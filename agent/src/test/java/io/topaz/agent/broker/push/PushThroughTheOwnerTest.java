package io.topaz.agent.broker.push;

import io.topaz.agent.broker.BrokerMessage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.topaz.agent.tmc.PushFixture.CHANGED;
import static io.topaz.agent.tmc.PushFixture.CONSUMER;
import static io.topaz.agent.tmc.PushFixture.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Push on real broker agents ({@link BrokerNode}s with their {@code BrokerServer}, {@code ClusterBroker} and
 * ownership in ZooKeeper): the push WebSocket installed through {@code BrokerServer.pipelineTail}, a consumer
 * connected to the agent that does <i>not</i> own its queue is served through the owner (consume and confirm over
 * the agents' broker port), a consumer at the owner is woken by the store (no poll), and the internal HTTP API keeps
 * answering on the same port.
 */
class PushThroughTheOwnerTest {

    @Test
    void aConsumerOnANonOwnerIsServedThroughTheOwner() throws Exception {
        try (PushFixture world = new PushFixture(); PushCluster cluster = new PushCluster()) {
            BrokerNode a = cluster.start("a");
            BrokerNode b = cluster.start("b");
            cluster.awaitViews();
            QueueName q = new QueueName(CONSUMER, "default");
            String ownerId = a.ownership().owner(q).orElseThrow().id();
            BrokerNode owner = ownerId.equals("a") ? a : b;
            BrokerNode other = owner == a ? b : a;
            String otherId = owner == a ? "b" : "a";

            PushServer push = new PushServer(other.broker(), world.metadata(), world::config, world.apis(),
                    PushSettings.defaults().withPollInterval(Duration.ofMillis(50)), Clock.systemUTC(),
                    new SimpleMeterRegistry());
            other.server().pipelineTail(push::install);

            try (WsTestClient c = WsTestClient.open(other.port())) {
                c.send(WsTestClient.connect(1, CONSUMER, "default", System.currentTimeMillis(), SECRET));
                SpecReader.Reply ack = c.frame();
                assertThat(ack.status()).isNull();
                String token = ack.token();

                BrokerMessage m = cluster.message(otherId, CHANGED, 1001);
                other.broker().publish(m, List.of(q)).get(10, TimeUnit.SECONDS);
                assertThat(cluster.unconfirmed(ownerId, q)).as("stored at the owner").isEqualTo(1);
                assertThat(cluster.holds(otherId, q)).as("not at the agent the consumer is connected to").isFalse();

                SpecReader.Reply pushed = c.frame();
                assertThat(pushed.type()).isEqualTo(2);
                assertThat(pushed.token()).isEqualTo(token);
                assertThat(pushed.fields()).containsEntry("id", m.id()).containsEntry("topic", CHANGED)
                        .containsEntry("content", m.content()).containsEntry("userid", 1001L);

                c.send(SpecBytes.frame(2, 2).token(token).byteField("__kind", 2).longField("id", m.id()).end());
                await().atMost(Duration.ofSeconds(10)).until(() -> cluster.unconfirmed(ownerId, q) == 0);
                assertThat(push.connections()).isEqualTo(1);
            }

            // at the owner, a stored message wakes its connections: no poll needed (this one would wait an hour)
            PushServer atOwner = new PushServer(owner.broker(), world.metadata(), world::config, world.apis(),
                    PushSettings.defaults().withPollInterval(Duration.ofHours(1)), Clock.systemUTC(),
                    new SimpleMeterRegistry());
            owner.server().pipelineTail(atOwner::install);
            owner.clusterBroker().onStored(atOwner::stored);
            try (WsTestClient c = WsTestClient.open(owner.port())) {
                c.send(WsTestClient.connect(2, CONSUMER, "default", System.currentTimeMillis(), SECRET));
                String token = c.frame().token();
                assertThat(token).isNotBlank();
                for (int i = 0; i < 3; i++) {
                    BrokerMessage m = cluster.message(otherId, CHANGED, 1001);
                    other.broker().publish(m, List.of(q)).get(10, TimeUnit.SECONDS);
                    SpecReader.Reply pushed = c.frame();
                    assertThat(pushed.fields()).containsEntry("id", m.id());
                    c.send(SpecBytes.frame(2, 2).token(token).byteField("__kind", 2).longField("id", m.id()).end());
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> cluster.unconfirmed(ownerId, q) == 0);
            }

            // the broker port's internal API beside the WebSocket
            HttpResponse<String> queues = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + other.port() + "/internal/v1/queues"))
                    .header("Authorization", "Bearer " + PushCluster.AGENT_TOKEN).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(queues.statusCode()).isEqualTo(200);
            assertThat(queues.body()).contains("\"agentId\"");
        }
    }
}

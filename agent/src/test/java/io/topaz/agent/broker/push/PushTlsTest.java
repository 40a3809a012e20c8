package io.topaz.agent.broker.push;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.topaz.agent.AgentSettings;
import io.topaz.agent.broker.BrokerMessage;
import io.topaz.agent.broker.QueueName;
import io.topaz.agent.broker.cluster.BrokerNode;
import io.topaz.agent.broker.cluster.PushCluster;
import io.topaz.agent.net.BrokerTls;
import io.topaz.agent.net.TlsFiles;
import io.topaz.agent.tmc.PushFixture;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.topaz.agent.tmc.PushFixture.CHANGED;
import static io.topaz.agent.tmc.PushFixture.CONSUMER;
import static io.topaz.agent.tmc.PushFixture.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code wss://} on the broker port ({@code --broker-tls-cert}, {@code --broker-tls-key}): a TLS WebSocket client
 * trusting the agents' self-signed certificate (src/test/resources/tls, CN=localhost, IP 127.0.0.1, the one
 * GatewayTlsTest uses) connects to the agent that does not own its queue, receives and confirms — consume and confirm
 * reach the owner over the agents' broker ports, which then speak https to each other. A plain {@code ws://} client
 * gets no WebSocket from the TLS port.
 */
class PushTlsTest {

    private static Path resource(String name) throws Exception {
        return Path.of(PushTlsTest.class.getResource("/tls/" + name).toURI());
    }

    @Test
    void aWssClientIsServedThroughTheOwnerOverHttpsBetweenAgents() throws Exception {
        BrokerTls tls = new BrokerTls(new TlsFiles(resource("cert.pem"), resource("key.pem")), null);
        SslContext trusting = SslContextBuilder.forClient().trustManager(resource("cert.pem").toFile()).build();
        try (PushFixture world = new PushFixture(); PushCluster cluster = new PushCluster()) {
            cluster.tls(tls);
            BrokerNode a = cluster.start("a");
            BrokerNode b = cluster.start("b");
            cluster.awaitViews();
            QueueName q = new QueueName(CONSUMER, "default");
            String ownerId = a.ownership().owner(q).orElseThrow().id();
            BrokerNode other = ownerId.equals("a") ? b : a;
            String otherId = ownerId.equals("a") ? "b" : "a";
            PushServer push = new PushServer(other.broker(), world.metadata(), world::config, world.apis(),
                    PushSettings.defaults().withPollInterval(Duration.ofMillis(50)), Clock.systemUTC(),
                    new SimpleMeterRegistry());
            other.server().pipelineTail(push::install);

            try (WsTestClient c = WsTestClient.openTls(other.port(), trusting)) {
                c.send(WsTestClient.connect(1, CONSUMER, "default", System.currentTimeMillis(), SECRET));
                SpecReader.Reply ack = c.frame();
                assertThat(ack.status()).isNull();
                String token = ack.token();

                // stored at the owner through the non-owner: /internal/v1/store over https
                BrokerMessage m = cluster.message(otherId, CHANGED, 1001);
                other.broker().publish(m, List.of(q)).get(10, TimeUnit.SECONDS);
                assertThat(cluster.unconfirmed(ownerId, q)).isEqualTo(1);

                SpecReader.Reply pushed = c.frame();
                assertThat(pushed.fields()).containsEntry("id", m.id()).containsEntry("content", m.content());
                c.send(SpecBytes.frame(2, 2).token(token).byteField("__kind", 2).longField("id", m.id()).end());
                await().atMost(Duration.ofSeconds(10)).until(() -> cluster.unconfirmed(ownerId, q) == 0);
            }

            assertThatThrownBy(() -> WsTestClient.open(other.port()).close())
                    .as("plain ws:// to the TLS port").isNotNull();
        }
    }

    @Test
    void brokerTlsSettingsGoTogetherAndBadFilesAreNamed() throws Exception {
        assertThatThrownBy(() -> AgentSettings.parse(List.of("--id=a1", "--broker-tls-cert=/x/c.pem"), Map.of(), "t"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--broker-tls-cert and --broker-tls-key go together");
        assertThatThrownBy(() -> AgentSettings.parse(List.of("--id=a1", "--broker-tls-trust=/x/ca.pem"), Map.of(), "t"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--broker-tls-trust needs");
        AgentSettings both = AgentSettings.parse(List.of("--id=a1", "--broker-tls-cert=/x/c.pem",
                "--broker-tls-key=/x/k.pem"), Map.of(), "t");
        assertThat(both.brokerTls().trust()).as("trusts its own certificate by default").isEqualTo(Path.of("/x/c.pem"));
        assertThat(both.tls()).as("the gateway stays plain").isNull();
        assertThat(AgentSettings.parse(List.of("--id=a1", "--tls-cert=/x/c.pem", "--tls-key=/x/k.pem"), Map.of(), "t")
                .brokerTls()).as("the gateway's https does not turn the broker port's TLS on").isNull();

        BrokerTls missingTrust = new BrokerTls(new TlsFiles(resource("cert.pem"), resource("key.pem")),
                Path.of("/nonexistent/ca.pem"));
        assertThatThrownBy(missingTrust::clientContext).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/nonexistent/ca.pem");
    }
}

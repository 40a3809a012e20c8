package io.topaz.agent.broker.cluster;

import io.topaz.agent.AgentSettings;
import io.topaz.agent.TopazAgent;
import io.topaz.agent.broker.Broker;
import io.topaz.agent.broker.BrokerMessage;
import io.topaz.agent.broker.QueueName;
import io.topaz.agent.metadata.MetadataSettings;
import io.topaz.agent.net.Transport;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The broker inside real agents: started with --broker-port, reached through {@link TopazAgent#broker()}. */
class AgentBrokerWiringTest {

    @TempDir
    Path dir;

    @Test
    void aBrokerPortWithoutTheControlPlaneIsRefusedAndWithItTheStorageEngineOpens() throws Exception {
        try (TestingServer zk = new TestingServer(true)) {
            AgentSettings plain = AgentSettings.of("w1", zk.getConnectString(), dir).withTransport(Transport.NIO)
                    .withBrokerPort(freePort());
            assertThatThrownBy(() -> TopazAgent.start(plain, Clock.systemUTC()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("--broker-port needs --control-url and --agent-token");

            AgentSettings withControl = plain.withMetadata(
                    new MetadataSettings("http://127.0.0.1:9", "token", null, null));
            try (TopazAgent agent = TopazAgent.start(withControl, Clock.systemUTC())) {
                assertThat(agent.brokerPort()).isEqualTo(plain.brokerPort());
                assertThat(agent.broker()).isPresent();
                assertThat(dir.resolve("broker").resolve("log")).as("the storage engine's message log").isDirectory();
            }
        }
    }

    @Test
    void twoAgentsShareTheirQueuesAndAStoppingAgentHandsItsQueuesOver() throws Exception {
        Map<Path, InMemoryQueues> disks = new ConcurrentHashMap<>();
        try (BrokerCluster infra = new BrokerCluster()) { // its ZooKeeper and control plane; no agents of its own
            String control = "http://127.0.0.1:" + infra.controlPlane.getAddress().getPort();
            TopazAgent one = agent("one", infra, control, disks);
            TopazAgent two = agent("two", infra, control, disks);
            try {
                Broker b1 = one.broker().orElseThrow();
                Broker b2 = two.broker().orElseThrow();
                assertThat(one.brokerPort()).isPositive();
                List<QueueName> queues = List.of(new QueueName("a1", "default"), new QueueName("a2", "default"),
                        new QueueName("a3", "default"), new QueueName("a4", "default"));
                await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> {
                    BrokerMessage m = new BrokerMessage(b1.ids().next(), "t", "p", 1, 1, "n", "{}", 0);
                    b1.publish(m, queues).get(5, TimeUnit.SECONDS);
                    return true;
                });
                for (QueueName q : queues) {
                    assertThat(b2.consume(q, 10).get(5, TimeUnit.SECONDS)).hasSize(1);
                }
                // the queues are spread: each agent holds some (so the stop below has something to hand over)
                assertThat(disks.get(dir.resolve("one").resolve("broker")).queues()).isNotEmpty().hasSizeLessThan(4);
            } finally {
                two.close(); // graceful: hands its queues to one before its ZooKeeper session ends
            }
            InMemoryQueues twoDisk = disks.get(dir.resolve("two").resolve("broker"));
            assertThat(twoDisk.queues()).isEmpty();
            InMemoryQueues oneDisk = disks.get(dir.resolve("one").resolve("broker"));
            assertThat(oneDisk.queues()).hasSize(4);
            one.close();
        }
    }

    private TopazAgent agent(String id, BrokerCluster infra, String control, Map<Path, InMemoryQueues> disks)
            throws Exception {
        AgentSettings s = AgentSettings.of(id, infra.zk.getConnectString(), dir.resolve(id))
                .withPlacement("default", "c1")
                .withTransport(Transport.NIO)
                .withZkRoot(infra.layout.root())
                .withBrokerPort(freePort())
                .withMetadata(new MetadataSettings(control, BrokerCluster.AGENT_TOKEN, null, null));
        return TopazAgent.start(s, Clock.systemUTC(), (path, clock) -> disks.computeIfAbsent(path,
                p -> new InMemoryQueues()));
    }

    /** An ephemeral port the OS just gave out: --broker-port takes a fixed port (0 means "no broker"). */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

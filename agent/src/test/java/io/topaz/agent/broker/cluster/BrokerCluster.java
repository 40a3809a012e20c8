package io.topaz.agent.broker.cluster;

import com.sun.net.httpserver.HttpServer;
import io.topaz.agent.broker.BrokerMessage;
import io.topaz.agent.broker.QueueName;
import io.topaz.agent.fleet.Registration;
import io.topaz.agent.net.Transport;
import io.topaz.model.fleet.AgentInfo;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;

/**
 * In-process broker agents for the cluster tests: one ZooKeeper ({@link TestingServer}), a fake control plane
 * answering {@code GET /api/v1/me} (JDK HttpServer), and per agent its own ZooKeeper session, {@link BrokerNode} on an
 * ephemeral port, registration and {@link InMemoryQueues} (kept across a simulated restart, as a disk would be).
 */
final class BrokerCluster implements AutoCloseable {

    static final String AGENT_TOKEN = "agent-token";
    static final String PUBLISHER_TOKEN = "publisher-token";
    static final String VIEWER_TOKEN = "viewer-token";
    private static final AtomicInteger ROOTS = new AtomicInteger();

    final TestingServer zk;
    final HttpServer controlPlane;
    final ZkLayout layout = new ZkLayout("/c" + ROOTS.incrementAndGet());
    final Map<String, Agent> agents = new LinkedHashMap<>();
    final Map<String, InMemoryQueues> disks = new LinkedHashMap<>();
    final AtomicInteger meCalls = new AtomicInteger();
    /** TLS on the broker ports of agents started from now on (null: plain). */
    volatile io.topaz.agent.net.BrokerTls tls;

    /** One running agent. */
    final class Agent {
        final String id;
        final CuratorFramework curator;
        final BrokerNode node;
        final Registration registration;
        final InMemoryQueues disk;

        Agent(String id, InMemoryQueues disk) throws Exception {
            this(id, disk, true);
        }

        Agent(String id, InMemoryQueues disk, boolean register) throws Exception {
            this.id = id;
            this.disk = disk;
            curator = CuratorFrameworkFactory.builder().connectString(zk.getConnectString())
                    .sessionTimeoutMs(10_000).connectionTimeoutMs(5_000).retryPolicy(new RetryOneTime(100)).build();
            curator.start();
            BrokerNode.Settings s = BrokerNode.Settings.defaults(id, "c1", "127.0.0.1", 0, Transport.NIO,
                            "http://127.0.0.1:" + controlPlane.getAddress().getPort(), AGENT_TOKEN)
                    .withIdBlockSize(1_000)
                    .withClusterSettings(new ClusterBroker.Settings(3, Duration.ofSeconds(15),
                            Duration.ofMillis(300), Duration.ofMillis(100), Duration.ofSeconds(5)))
                    .withTls(tls);
            node = BrokerNode.start(curator, layout, disk, s);
            registration = new Registration(curator, layout, new AgentInfo(id, "default", "c1", "127.0.0.1",
                    Map.of("admin", 1, "broker", node.port()), "test", System.currentTimeMillis(), 0, 0));
            if (register) {
                registration.start();
            }
        }

        /** Registers an agent started with {@link #startUnregistered}. */
        void register() {
            registration.start();
        }

        ClusterBroker broker() {
            return node.clusterBroker();
        }

        Set<String> view() {
            return node.ownership().view().members().keySet();
        }

        /** A graceful stop: hands the queues over. */
        void stop() {
            node.close();
            registration.close();
            curator.close();
            agents.remove(id);
        }

        /** As a crash: no hand-over; its ZooKeeper session ends, its queues stay on its "disk". */
        void kill() {
            node.abandon();
            registration.close();
            curator.close();
            agents.remove(id);
        }

        BrokerMessage message(String topic, long userId) {
            await().atMost(Duration.ofSeconds(10)).until(node.ids()::ready);
            long id = node.ids().next();
            return new BrokerMessage(id, topic, "producer", System.currentTimeMillis(), userId, "nick" + userId,
                    "{\"tid\":" + id + "}", id);
        }
    }

    BrokerCluster() throws Exception {
        zk = new TestingServer(true);
        controlPlane = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        Map<String, String> roles = Map.of(AGENT_TOKEN, "AGENT", PUBLISHER_TOKEN, "PUBLISHER", VIEWER_TOKEN, "VIEWER");
        controlPlane.createContext("/api/v1/me", exchange -> {
            meCalls.incrementAndGet();
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            String token = auth == null ? "" : auth.substring("Bearer ".length());
            String role = roles.get(token);
            byte[] body = role == null ? "{\"error\":\"unauthorized\"}".getBytes(StandardCharsets.UTF_8)
                    : ("{\"name\":\"" + token + "-name\",\"role\":\"" + role + "\"}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(role == null ? 401 : 200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        controlPlane.start();
    }

    /** Starts agent {@code id} on its disk (a fresh one the first time, the same one after a restart). */
    Agent start(String id) throws Exception {
        InMemoryQueues disk = disks.computeIfAbsent(id, k -> new InMemoryQueues());
        disk.reopen();
        Agent a = new Agent(id, disk);
        agents.put(id, a);
        return a;
    }

    /** Starts agent {@code id} without its ZooKeeper registration (as before its node is created, or after expiry). */
    Agent startUnregistered(String id) throws Exception {
        InMemoryQueues disk = disks.computeIfAbsent(id, k -> new InMemoryQueues());
        disk.reopen();
        Agent a = new Agent(id, disk, false);
        agents.put(id, a);
        return a;
    }

    /** Waits until every running agent's view is exactly the running agents. */
    void awaitViews() {
        await().atMost(Duration.ofSeconds(15)).until(() -> agents.values().stream()
                .allMatch(a -> a.view().equals(agents.keySet())));
    }

    /** A queue the given agent owns in the current view (the views must agree). */
    QueueName queueOwnedBy(String owner, String prefix) {
        Agent any = agents.values().iterator().next();
        for (int i = 0; i < 10_000; i++) {
            QueueName q = new QueueName(prefix + i, "default");
            if (any.node.ownership().owner(q).orElseThrow().id().equals(owner)) {
                return q;
            }
        }
        throw new AssertionError("no queue owned by " + owner);
    }

    List<Agent> running() {
        return new ArrayList<>(agents.values());
    }

    @Override
    public void close() throws IOException {
        for (Agent a : running()) {
            a.kill();
        }
        controlPlane.stop(0);
        zk.close();
    }
}

package io.topaz.control;

import io.topaz.agent.AgentSettings;
import io.topaz.agent.TopazAgent;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** With a three-server ZooKeeper ensemble and one server killed, publishes still reach the agents. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ZooKeeperClusterTest extends ControlPlaneTestSupport {

    private static final TestingCluster cluster = startCluster();
    private static final List<TopazAgent> agents = new ArrayList<>();

    @TempDir
    static Path dataDir;

    @Autowired
    CuratorFramework curator;

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) {
        register(r, cluster.getConnectString(), "/topaz");
    }

    private static TestingCluster startCluster() {
        TestingCluster c = new TestingCluster(3);
        try {
            c.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start a three-server ZooKeeper ensemble", e);
        }
        return c;
    }

    @BeforeAll
    static void startAgents() throws Exception {
        for (int i = 1; i <= 2; i++) {
            AgentSettings s = AgentSettings.of("ens-" + i, cluster.getConnectString(), dataDir.resolve("a" + i))
                    .withZkTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(3));
            agents.add(TopazAgent.start(s, Clock.systemUTC()));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        agents.forEach(TopazAgent::close);
        cluster.close();
    }

    @Test
    void publishesSurviveTheLossOfOneServer() throws Exception {
        RestApi op = withRole("OPERATOR");
        assertThat(op.post("/api/v1/apis", api("taobao.ensemble.get", "g", "http://127.0.0.1:9090")).status()).isEqualTo(201);
        long r1 = op.publish("before").json("number").asLong();
        await().atMost(Duration.ofSeconds(20)).until(() -> agents.stream().allMatch(a -> a.appliedRelease() == r1));

        // Kill the very server the control plane is connected to, so its client must fail over.
        InstanceSpec victim = cluster.findConnectionInstance(curator.getZookeeperClient().getZooKeeper());
        assertThat(victim).isNotNull();
        assertThat(cluster.killServer(victim)).isTrue();

        // Clients connected to the killed server move to another; the ensemble still has a quorum.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                op.put("/api/v1/apis/taobao.ensemble.get", api("taobao.ensemble.get", "g", "http://127.0.0.1:9191"), 1L).status())
                .isEqualTo(200));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(op.publish("after").status()).isEqualTo(201));
        long r2 = op.get("/api/v1/releases/live").json("number").asLong();
        assertThat(r2).isGreaterThan(r1);
        await().atMost(Duration.ofSeconds(30)).until(() -> agents.stream().allMatch(a -> a.appliedRelease() == r2));
        assertThat(agents).allSatisfy(a -> assertThat(
                a.snapshot().apis().get("taobao.ensemble.get").upstreams().get(0).url()).isEqualTo("http://127.0.0.1:9191"));
    }
}

package io.topaz.control;

import io.topaz.agent.AgentSettings;
import io.topaz.agent.TopazAgent;
import io.topaz.model.zk.ZkCredentials;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A control plane and an agent with their own ZooKeeper identities: the agent, given only its credentials file,
 * applies what the control plane publishes and shows in the fleet view, while a client without credentials sees
 * nothing of the tree.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SecuredZooKeeperTest extends ControlPlaneTestSupport {

    private static final String ROOT = TestZooKeeper.uniqueRoot();
    private static final ZkCredentials AGENT = ZkCredentials.parse("topaz-agent:agent-pw-7f3a", "test");

    @TempDir
    static Path dataDir;

    @Autowired
    CuratorFramework controlPlaneClient;

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) {
        register(r, TestZooKeeper.connectString(), ROOT);
        r.add("topaz.zookeeper.auth.control-plane", () -> "topaz-cp:cp-pw-91c2");
        r.add("topaz.zookeeper.auth.agent-digest", AGENT::digestId);
    }

    @Test
    void anAgentWithItsCredentialsFileAppliesAReleaseOnAProtectedTree() throws Exception {
        Path authFile = dataDir.resolve("zk-agent");
        Files.writeString(authFile, "topaz-agent:agent-pw-7f3a\n");
        AgentSettings settings = AgentSettings.parse(List.of("--id=secured-1", "--host=127.0.0.1", "--admin-port=0",
                "--zk-connect=" + TestZooKeeper.connectString(), "--zk-root=" + ROOT,
                "--data-dir=" + dataDir.resolve("agent"), "--zk-auth-file=" + authFile), java.util.Map.of(), "test");
        assertThat(settings.toString()).doesNotContain("agent-pw-7f3a");

        RestApi op = withRole("OPERATOR");
        try (TopazAgent agent = TopazAgent.start(settings, Clock.systemUTC())) {
            assertThat(op.post("/api/v1/apis", api("taobao.item.get", "items", "http://127.0.0.1:9090")).status()).isEqualTo(201);
            long release = op.publish("secured").json("number").asLong();

            await().atMost(Duration.ofSeconds(15)).until(() -> agent.appliedRelease() == release);
            assertThat(agent.snapshot().apis()).containsKey("taobao.item.get");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(op.get("/api/v1/agents").json("agents").asInt()).isEqualTo(1);
                assertThat(op.get("/api/v1/agents").body().get("items").get(0).get("appliedRelease").asLong()).isEqualTo(release);
            });
        }

        ZkLayout layout = new ZkLayout(ROOT);
        CuratorFramework anonymous = CuratorFrameworkFactory.newClient(TestZooKeeper.connectString(), new RetryOneTime(100));
        anonymous.start();
        try {
            assertThatThrownBy(() -> anonymous.getData().forPath(layout.live())).isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> anonymous.setData().forPath(layout.live(), new byte[0]))
                    .isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> anonymous.getChildren().forPath(layout.releases()))
                    .isInstanceOf(KeeperException.NoAuthException.class);
        } finally {
            anonymous.close();
        }
        assertThat(controlPlaneClient.getData().forPath(layout.live())).isNotEmpty();
    }
}

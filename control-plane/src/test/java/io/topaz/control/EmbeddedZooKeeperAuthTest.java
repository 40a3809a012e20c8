package io.topaz.control;

import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The quickstart's set-up: the embedded ZooKeeper with both identities given as files. The tree it serves is closed
 * to a client without credentials and open to the agents' identity for reading the live release.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class EmbeddedZooKeeperAuthTest extends ControlPlaneTestSupport {

    private static final Path DIR = tempDir();
    private static final int PORT = freePort();

    @Autowired
    CuratorFramework controlPlaneClient;

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) throws IOException {
        register(r, "", ZkLayout.DEFAULT_ROOT);
        Files.writeString(DIR.resolve("zk-control-plane"), "topaz-control-plane:cp-embedded-pw\n");
        Files.writeString(DIR.resolve("zk-agent"), "topaz-agent:agent-embedded-pw\n");
        r.add("topaz.zookeeper.embedded-port", () -> PORT);
        r.add("topaz.zookeeper.embedded-data-dir", () -> DIR.resolve("zookeeper").toString());
        r.add("topaz.zookeeper.auth.control-plane-file", () -> DIR.resolve("zk-control-plane").toString());
        r.add("topaz.zookeeper.auth.agent-file", () -> DIR.resolve("zk-agent").toString());
    }

    @Test
    void theEmbeddedServersTreeIsClosedToClientsWithoutCredentials() throws Exception {
        ZkLayout layout = ZkLayout.defaults();
        RestApi op = withRole("OPERATOR");
        assertThat(op.post("/api/v1/apis", api("taobao.item.get", "items", "http://127.0.0.1:9090")).status()).isEqualTo(201);
        long release = op.publish("embedded").json("number").asLong();
        assertThat(release).isPositive();
        String connect = controlPlaneClient.getZookeeperClient().getCurrentConnectionString();

        try (CuratorFramework anonymous = client(connect, null); CuratorFramework agent = client(connect, "topaz-agent:agent-embedded-pw")) {
            assertThatThrownBy(() -> anonymous.getData().forPath(layout.live())).isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> anonymous.setData().forPath(layout.live(), new byte[0]))
                    .isInstanceOf(KeeperException.NoAuthException.class);
            assertThat(agent.getData().forPath(layout.live())).isNotEmpty();
            assertThatThrownBy(() -> agent.setData().forPath(layout.live(), new byte[0]))
                    .isInstanceOf(KeeperException.NoAuthException.class);
        }
    }

    private static CuratorFramework client(String connect, String auth) throws InterruptedException {
        CuratorFrameworkFactory.Builder b = CuratorFrameworkFactory.builder().connectString(connect).retryPolicy(new RetryOneTime(100));
        if (auth != null) {
            b.authorization("digest", auth.getBytes(StandardCharsets.UTF_8));
        }
        CuratorFramework c = b.build();
        c.start();
        assertThat(c.blockUntilConnected(10, TimeUnit.SECONDS)).isTrue();
        return c;
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("topaz-embedded-auth");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.topaz.agent.fleet;

import io.topaz.model.fleet.AgentInfo;
import io.topaz.model.json.Json;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.RepeatedTest;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An agent applies its first release right after it registers, often before ZooKeeper has answered the registration's
 * create: the update must not lose the registration (a CI run once saw an agent that served but was never listed).
 */
class RegistrationTest {

    @RepeatedTest(5)
    void updatesRacingTheFirstCreateLeaveTheNodeWithTheLatestData() throws Exception {
        try (TestingServer zk = new TestingServer();
             CuratorFramework curator = CuratorFrameworkFactory.newClient(zk.getConnectString(), 10_000, 5_000,
                     new RetryOneTime(100))) {
            curator.start();
            ZkLayout layout = new ZkLayout("/topaz");
            AgentInfo info = new AgentInfo("agent-1", "local", "c1", "127.0.0.1", Map.of("admin", 1), "test", 1, 0, 0);
            try (Registration registration = new Registration(curator, layout, info)) {
                registration.start();
                for (int release = 1; release <= 5; release++) {
                    registration.update(info.withApplied(release, release));
                }
                String path = layout.agent("agent-1");
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    assertThat(curator.checkExists().forPath(path)).as("registration node").isNotNull();
                    AgentInfo stored = Json.read(curator.getData().forPath(path), AgentInfo.class);
                    assertThat(stored.appliedRelease()).isEqualTo(5);
                });
                // and it stays: no late delete from a replaced node removes it
                Thread.yield();
                await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                        .until(() -> curator.checkExists().forPath(path) != null);
            }
        }
    }
}

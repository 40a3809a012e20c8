package io.topaz.agent;

import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.fleet.AgentInfo;
import io.topaz.model.json.Json;
import io.topaz.model.release.EncodedRelease;
import io.topaz.model.release.ReleaseCodec;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** An agent against a real ZooKeeper server: apply, register, report, survive outages. */
class TopazAgentTest {

    private static final ZkLayout LAYOUT = ZkLayout.defaults();
    private final HttpClient http = HttpClient.newHttpClient();

    private static AgentSettings settings(String id, String connect, Path dir) {
        return AgentSettings.of(id, connect, dir).withZkTimeouts(Duration.ofSeconds(8), Duration.ofSeconds(2));
    }

    @Test
    void appliesEachReleaseWholeAndReportsIt(@TempDir Path dir) throws Exception {
        try (TestingServer zk = new TestingServer();
             TestReleases releases = new TestReleases(zk.getConnectString(), LAYOUT);
             TopazAgent agent = TopazAgent.start(settings("a1", zk.getConnectString(), dir), Clock.systemUTC())) {
            List<ConfigSnapshot> seen = new CopyOnWriteArrayList<>();
            agent.addReleaseListener(seen::add);
            // Registration appears with release 0 before anything is published.
            await().atMost(Duration.ofSeconds(10)).until(() -> releases.curator.checkExists().forPath(LAYOUT.agent("a1")) != null);

            releases.publish(TestReleases.snapshot(1, 50));
            await().atMost(Duration.ofSeconds(10)).until(() -> agent.appliedRelease() == 1);
            assertThat(agent.snapshot().apis()).hasSize(50);

            releases.publish(TestReleases.snapshot(2, 80));
            await().atMost(Duration.ofSeconds(10)).until(() -> agent.appliedRelease() == 2);
            assertThat(agent.snapshot().apis()).hasSize(80);
            assertThat(agent.snapshot().apis().values())
                    .allSatisfy(api -> assertThat(api.upstreams().get(0).url()).endsWith(":1002"));
            assertThat(seen).extracting(ConfigSnapshot::release).containsExactly(1L, 2L);
            assertThat(seen.get(0).apis()).hasSize(50);

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                AgentInfo info = Json.read(releases.curator.getData().forPath(LAYOUT.agent("a1")), AgentInfo.class);
                assertThat(info.appliedRelease()).isEqualTo(2);
                assertThat(info.ports()).containsEntry("admin", agent.adminPort());
                assertThat(info.appliedAtMillis()).isPositive();
            });
            assertThat(dir.resolve("release.json")).exists();
        }
        // (the agent is closed here; its ephemeral node is checked in the next test)
    }

    @Test
    void unregistersOnClose(@TempDir Path dir) throws Exception {
        try (TestingServer zk = new TestingServer();
             TestReleases releases = new TestReleases(zk.getConnectString(), LAYOUT)) {
            TopazAgent agent = TopazAgent.start(settings("a2", zk.getConnectString(), dir), Clock.systemUTC());
            await().atMost(Duration.ofSeconds(10)).until(() -> releases.curator.checkExists().forPath(LAYOUT.agent("a2")) != null);
            agent.close();
            agent.close(); // twice is fine
            await().atMost(Duration.ofSeconds(10)).until(() -> releases.curator.checkExists().forPath(LAYOUT.agent("a2")) == null);
        }
    }

    @Test
    void keepsServingThroughAZooKeeperOutageAndCatchesUp(@TempDir Path dir) throws Exception {
        try (TestingServer zk = new TestingServer();
             TopazAgent agent = TopazAgent.start(settings("a3", zk.getConnectString(), dir), Clock.systemUTC())) {
            try (TestReleases releases = new TestReleases(zk.getConnectString(), LAYOUT)) {
                releases.publish(TestReleases.snapshot(1, 10));
                await().atMost(Duration.ofSeconds(10)).until(() -> agent.appliedRelease() == 1);
            }
            zk.stop();
            await().atMost(Duration.ofSeconds(15)).until(() -> !agent.zookeeperConnected());
            assertThat(agent.appliedRelease()).isEqualTo(1);
            assertThat(agent.snapshot().apis()).hasSize(10);
            String health = get(agent.adminPort(), "/health").body();
            assertThat(health).contains("\"status\":\"UP\"").contains("\"appliedRelease\":1").doesNotContain("\"zookeeper\":\"CONNECTED\"");

            zk.restart();
            try (TestReleases releases = new TestReleases(zk.getConnectString(), LAYOUT)) {
                releases.publish(TestReleases.snapshot(2, 12));
                await().atMost(Duration.ofSeconds(30)).until(() -> agent.appliedRelease() == 2);
            }
            assertThat(agent.snapshot().apis()).hasSize(12);
        }
    }

    @Test
    void bootsFromItsLocalReleaseWhileZooKeeperIsDown(@TempDir Path dir) throws Exception {
        try (TestingServer zk = new TestingServer()) {
            try (TestReleases releases = new TestReleases(zk.getConnectString(), LAYOUT);
                 TopazAgent first = TopazAgent.start(settings("a4", zk.getConnectString(), dir), Clock.systemUTC())) {
                releases.publish(TestReleases.snapshot(7, 20));
                await().atMost(Duration.ofSeconds(10)).until(() -> first.appliedRelease() == 7);
                await().atMost(Duration.ofSeconds(10)).until(() -> dir.resolve("release.json").toFile().exists());
            }
            zk.stop();
            try (TopazAgent second = TopazAgent.start(settings("a4", zk.getConnectString(), dir), Clock.systemUTC())) {
                // Serving at once, before any ZooKeeper connection.
                assertThat(second.zookeeperConnected()).isFalse();
                assertThat(second.appliedRelease()).isEqualTo(7);
                assertThat(second.snapshot().apis()).hasSize(20);
                HttpResponse<String> health = get(second.adminPort(), "/health");
                assertThat(health.statusCode()).isEqualTo(200);
                assertThat(health.body()).contains("\"status\":\"UP\"").contains("\"appliedRelease\":7");

                zk.restart();
                try (TestReleases releases = new TestReleases(zk.getConnectString(), LAYOUT)) {
                    releases.publish(TestReleases.snapshot(8, 21));
                    await().atMost(Duration.ofSeconds(30)).until(() -> second.appliedRelease() == 8);
                }
            }
        }
    }

    @Test
    void refusesACorruptReleaseAndKeepsTheOldOne(@TempDir Path dir) throws Exception {
        try (TestingServer zk = new TestingServer();
             TestReleases releases = new TestReleases(zk.getConnectString(), LAYOUT);
             TopazAgent agent = TopazAgent.start(settings("a5", zk.getConnectString(), dir), Clock.systemUTC())) {
            releases.publish(TestReleases.snapshot(1, 5));
            await().atMost(Duration.ofSeconds(10)).until(() -> agent.appliedRelease() == 1);

            EncodedRelease bad = ReleaseCodec.encode(TestReleases.snapshot(2, 6), "bad", "test", 0, null);
            String hash = bad.blobs().keySet().iterator().next();
            // The blob under this hash holds other content: it must fail verification.
            releases.curator.create().creatingParentsIfNeeded().forPath(LAYOUT.blob(hash),
                    ReleaseCodec.gzip("[]".getBytes()));
            releases.publishManifest(bad);

            await().atMost(Duration.ofSeconds(10)).until(() ->
                    agent.metrics().registry().get("topaz.config.apply.failures").counter().count() >= 1);
            assertThat(agent.appliedRelease()).isEqualTo(1);
            assertThat(agent.snapshot().apis()).hasSize(5);

            releases.publish(TestReleases.snapshot(3, 7));
            await().atMost(Duration.ofSeconds(10)).until(() -> agent.appliedRelease() == 3);
        }
    }

    @Test
    void adminPortServesHealthAndMetrics(@TempDir Path dir) throws Exception {
        try (TestingServer zk = new TestingServer();
             TestReleases releases = new TestReleases(zk.getConnectString(), LAYOUT);
             TopazAgent agent = TopazAgent.start(settings("a6", zk.getConnectString(), dir), Clock.systemUTC())) {
            releases.publish(TestReleases.snapshot(3, 2));
            await().atMost(Duration.ofSeconds(10)).until(() -> agent.appliedRelease() == 3);

            HttpResponse<String> health = get(agent.adminPort(), "/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.headers().firstValue("content-type")).hasValue("application/json");
            assertThat(health.body()).contains("\"agentId\":\"a6\"").contains("\"appliedRelease\":3");

            HttpResponse<String> metrics = get(agent.adminPort(), "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("topaz_config_applied_release{").contains("jvm_memory_used_bytes");
            assertThat(metrics.body()).containsPattern("topaz_config_applied_release\\{[^}]*} 3\\.0");

            assertThat(get(agent.adminPort(), "/nope").statusCode()).isEqualTo(404);
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.adminPort() + "/health"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
        }
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}

package io.topaz.control;

import io.topaz.agent.AgentSettings;
import io.topaz.agent.TopazAgent;
import io.topaz.agent.metadata.MetadataClient;
import io.topaz.agent.metadata.MetadataSettings;
import io.topaz.agent.metadata.SessionCheck;
import io.topaz.agent.metadata.SignatureCheck;
import io.topaz.model.config.AppStatus;
import io.topaz.model.top.SignMethod;
import io.topaz.model.top.TopSigner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * End to end: two agents read apps and sessions through Redis and the control plane. Disabling an app, rotating and
 * retiring its secret, and revoking a session reach both agents through the event push, not after a TTL (the default
 * cache rule keeps entries for ten minutes); cache rules apply live.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetadataPushTest extends ControlPlaneTestSupport {

    private static final String ROOT = TestZooKeeper.uniqueRoot();
    private final List<TopazAgent> agents = new ArrayList<>();

    @TempDir
    static Path dataDir;

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) {
        register(r, TestZooKeeper.connectString(), ROOT);
    }

    @BeforeAll
    void startAgents() throws Exception {
        String redis = TestServices.redisUri();
        String token = admin().post("/api/v1/tokens", "{\"name\":\"agents\",\"role\":\"AGENT\"}").json("token").asString();
        String prefix = "topaz-test:" + UUID.randomUUID() + ":";
        for (int i = 1; i <= 2; i++) {
            AgentSettings s = AgentSettings.of("md-" + i, TestZooKeeper.connectString(), dataDir.resolve("a" + i))
                    .withZkRoot(ROOT)
                    .withMetadata(new MetadataSettings("http://127.0.0.1:" + port, token, redis, prefix));
            agents.add(TopazAgent.start(s, Clock.systemUTC()));
        }
    }

    @AfterAll
    void stopAgents() {
        agents.forEach(TopazAgent::close);
    }

    private List<MetadataClient> clients() {
        return agents.stream().map(a -> a.metadata().orElseThrow()).toList();
    }

    private static Map<String, String> call(String appKey) {
        Map<String, String> p = new HashMap<>();
        p.put("method", "taobao.time.get");
        p.put("app_key", appKey);
        p.put("timestamp", "2026-11-24 12:00:00");
        p.put("v", "2.0");
        p.put("sign_method", "hmac-sha256");
        return p;
    }

    private static SignatureCheck check(MetadataClient c, String appKey, String secret) throws Exception {
        Map<String, String> p = call(appKey);
        String sign = TopSigner.sign(p, null, secret, SignMethod.HMAC_SHA256);
        return c.checkSignature(appKey, p, null, SignMethod.HMAC_SHA256, sign).get(10, TimeUnit.SECONDS);
    }

    @Test
    void appChangesReachEveryAgentAtOnce() throws Exception {
        String secret = admin().post("/api/v1/apps",
                "{\"appKey\":\"push-app\",\"name\":\"Push\",\"owner\":\"isv\",\"allowedApiGroups\":[\"core\"]}")
                .json("secret").asString();
        // A new app reaches the agents' key filters by its CREATED event (ZooKeeper, asynchronous): the create's
        // answer can come back before an agent has seen the event, so the first check waits for it.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (MetadataClient c : clients()) {
                SignatureCheck ok = check(c, "push-app", secret);
                assertThat(ok.ok()).isTrue();
                assertThat(ok.app().mayCall("core")).isTrue();
                assertThat(check(c, "push-app", "wrong-secret").outcome().topCode()).isEqualTo(25);
            }
        });

        assertThat(admin().post("/api/v1/apps/push-app/disable", null).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (MetadataClient c : clients()) {
                assertThat(check(c, "push-app", secret).outcome()).isEqualTo(SignatureCheck.Outcome.APP_DISABLED);
            }
        });
        assertThat(admin().post("/api/v1/apps/push-app/enable", null).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (MetadataClient c : clients()) {
                assertThat(check(c, "push-app", secret).ok()).isTrue();
            }
        });

        String rotated = admin().post("/api/v1/apps/push-app/secret", "{\"graceSeconds\":3600}").json("secret").asString();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (MetadataClient c : clients()) {
                assertThat(check(c, "push-app", rotated).ok()).isTrue();
                assertThat(check(c, "push-app", secret).ok()).isTrue(); // old one until retired
            }
        });
        assertThat(admin().post("/api/v1/apps/push-app/secret/retire-previous", null).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (MetadataClient c : clients()) {
                assertThat(check(c, "push-app", secret).outcome().topCode()).isEqualTo(25);
                assertThat(check(c, "push-app", rotated).ok()).isTrue();
            }
        });
        assertThat(clients().get(0).apps().get("push-app").get(5, TimeUnit.SECONDS).orElseThrow().status())
                .isEqualTo(AppStatus.ACTIVE);
    }

    @Test
    void sessionsAreCheckedAndRevocationReachesEveryAgent() throws Exception {
        assertThat(admin().post("/api/v1/apps",
                "{\"appKey\":\"sess-app\",\"name\":\"S\",\"owner\":\"isv\",\"allowedApiGroups\":[\"core\"]}").status())
                .isEqualTo(201);
        RestApi op = withRole("OPERATOR");
        assertThat(op.post("/api/v1/users", "{\"userId\":\"seller-9\",\"nick\":\"nine\"}").status()).isEqualTo(201);
        RestApi.Response issued = admin().post("/api/v1/sessions",
                "{\"appKey\":\"sess-app\",\"userId\":\"seller-9\",\"expiresInSeconds\":3600}");
        String key = issued.json("sessionKey").asString();
        String id = issued.json("session").get("id").asString();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (MetadataClient c : clients()) {
                SessionCheck s = c.checkSession("sess-app", key).get(5, TimeUnit.SECONDS);
                assertThat(s.ok()).isTrue();
                assertThat(s.session().userId()).isEqualTo("seller-9");
                assertThat(c.checkSession("other-app", key).get(5, TimeUnit.SECONDS).outcome().topCode()).isEqualTo(27);
                assertThat(c.checkSession("sess-app", "tzs_unknown").get(5, TimeUnit.SECONDS).ok()).isFalse();
            }
        });

        assertThat(op.post("/api/v1/sessions/" + id + "/revoke", null).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (MetadataClient c : clients()) {
                assertThat(c.checkSession("sess-app", key).get(5, TimeUnit.SECONDS).outcome())
                        .isEqualTo(SessionCheck.Outcome.INVALID);
            }
        });
    }

    @Test
    void cacheRulesArePublishedAndAppliedLive() {
        RestApi op = withRole("OPERATOR");
        assertThat(op.post("/api/v1/cache-rules", """
                {"kind":"APP","maximumSize":1234,"expireAfterMillis":120000,"refreshAfterMillis":30000,
                 "maxStalenessMillis":600000,"negativeTtlMillis":10000,"bloomFalsePositiveRate":0.001}""").status())
                .isEqualTo(201);
        long release = op.publish("app cache rule").json("number").asLong();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (TopazAgent a : agents) {
                assertThat(a.appliedRelease()).isEqualTo(release);
                MetadataClient c = a.metadata().orElseThrow();
                assertThat(c.apps().rule().maximumSize()).isEqualTo(1234L);
                assertThat(c.apps().rule().bloomFalsePositiveRate()).isEqualTo(0.001);
                assertThat(c.sessions().rule().maximumSize()).isEqualTo(100_000L); // no rule: defaults
            }
        });
    }
}

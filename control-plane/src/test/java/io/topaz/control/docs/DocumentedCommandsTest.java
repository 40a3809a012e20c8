package io.topaz.control.docs;

import io.topaz.agent.AgentSettings;
import io.topaz.agent.TopazAgent;
import io.topaz.agent.metadata.MetadataSettings;
import io.topaz.control.ControlPlaneTestSupport;
import io.topaz.control.RestApi;
import io.topaz.control.TestZooKeeper;
import io.topaz.demo.DemoUpstream;
import io.topaz.model.testing.RepositoryDocs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The documentation's commands work as written: every {@code ```sh checked} block of README.md, docs/top-protocol.md
 * and docs/operations.md — the signed calls, the traffic example and the operator tour (add an API, a 5 QPS flow rule,
 * publish, code 7 through a gateway, roll back, the limit gone) — runs in that order, as one bash script with
 * {@code set -e}, against a stack set up as {@code scripts/quickstart.sh} sets up its own: the control plane, the demo
 * upstream, two agents with gateways in cluster {@code local}, the quickstart's seed config (read from the script
 * itself) and the demo app, with {@code .topaz/quickstart.env} written as the quickstart writes it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DocumentedCommandsTest extends ControlPlaneTestSupport {

    private static final String ROOT = TestZooKeeper.uniqueRoot();
    private static final List<String> DOCS = List.of("README.md", "docs/top-protocol.md", "docs/operations.md");
    /** {@code seed /api/v1/kind key '{json}'} lines of the quickstart. */
    private static final Pattern SEED = Pattern.compile("(?m)^seed (/api/v1/[a-z-]+) \\S+ '(\\{.*})'$");
    private static final String QUICKSTART_UPSTREAM = "http://127.0.0.1:9090";

    @TempDir
    static Path work;

    private final List<TopazAgent> agents = new ArrayList<>();
    private DemoUpstream upstream;
    private String gateway;
    private String secret;

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) {
        register(r, TestZooKeeper.connectString(), ROOT);
    }

    @BeforeAll
    void startAStackLikeTheQuickstarts() throws Exception {
        upstream = DemoUpstream.start("127.0.0.1", 0, 1, Clock.systemUTC());
        String upstreamUrl = "http://127.0.0.1:" + upstream.port();
        RestApi admin = admin();
        String quickstart = RepositoryDocs.read("scripts/quickstart.sh");
        Matcher seed = SEED.matcher(quickstart);
        int seeded = 0;
        while (seed.find()) {
            RestApi.Response r = admin.post(seed.group(1), seed.group(2).replace(QUICKSTART_UPSTREAM, upstreamUrl));
            assertThat(r.status()).as("quickstart seed " + seed.group(0) + ": " + r.raw()).isEqualTo(201);
            seeded++;
        }
        assertThat(seeded).as("seed lines found in scripts/quickstart.sh").isGreaterThanOrEqualTo(5);
        secret = admin.post("/api/v1/apps", "{\"appKey\":\"demo-app\",\"name\":\"Demo app\",\"owner\":\"quickstart\","
                + "\"allowedApiGroups\":[\"basic\"]}").json("secret").asString();
        long release = admin.publish("quickstart demo config").json("number").asLong();

        String agentToken = admin.post("/api/v1/tokens", "{\"name\":\"docs-agents\",\"role\":\"AGENT\"}")
                .json("token").asString();
        for (int n = 1; n <= 2; n++) {
            AgentSettings settings = AgentSettings.of("agent-" + n, TestZooKeeper.connectString(), work.resolve("agent-" + n))
                    .withZkRoot(ROOT)
                    .withPlacement("local", "local")
                    .withGatewayPort(freePort())
                    .withMetadata(new MetadataSettings("http://127.0.0.1:" + port, agentToken, null, null));
            agents.add(TopazAgent.start(settings, Clock.systemUTC()));
        }
        gateway = "http://127.0.0.1:" + agents.get(0).gatewayPort() + "/router/rest";
        await().atMost(Duration.ofSeconds(30))
                .until(() -> agents.stream().allMatch(a -> a.appliedRelease() == release));

        Path env = work.resolve(".topaz/quickstart.env");
        Files.createDirectories(env.getParent());
        Files.writeString(env, String.join("\n",
                "TOPAZ_CONTROL_URL=http://127.0.0.1:" + port,
                "TOPAZ_TOKEN=" + ADMIN_TOKEN,
                "TOPAZ_ZK_CONNECT=" + TestZooKeeper.connectString(),
                "TOPAZ_GATEWAY_URL=" + gateway,
                "TOPAZ_APP_KEY=demo-app",
                "TOPAZ_APP_SECRET=" + secret,
                "TOPAZ_DEMO_METHOD=taobao.time.get",
                "TOPAZ_DEMO_UPSTREAM_URL=" + upstreamUrl, ""));
    }

    @AfterAll
    void stop() {
        agents.forEach(TopazAgent::close);
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void everyCheckedCommandOfTheDocsRunsAsWritten() throws Exception {
        StringBuilder script = new StringBuilder("set -e\n");
        int blocks = 0;
        for (String doc : DOCS) {
            List<String> found = RepositoryDocs.fencedBlocks(RepositoryDocs.read(doc), "sh checked");
            for (int i = 0; i < found.size(); i++) {
                script.append("printf '\\n>>> %s\\n' '").append(doc).append(", checked block ").append(i + 1).append("'\n")
                        .append(found.get(i)).append('\n');
                blocks++;
            }
        }
        assertThat(blocks).as("checked blocks in " + DOCS).isGreaterThanOrEqualTo(10);
        script.append("echo '>>> all checked blocks ran'\n");
        Path file = work.resolve("documented-commands.sh");
        Files.writeString(file, script);

        Path output = work.resolve("documented-commands.out");
        Process bash = new ProcessBuilder("bash", file.toString()).directory(work.toFile())
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        boolean ended = bash.waitFor(180, TimeUnit.SECONDS);
        if (!ended) {
            bash.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String out = Files.readString(output, StandardCharsets.UTF_8);
        System.out.println("the documented commands' transcript:\n" + out);
        assertThat(ended).as("the documented commands ended within 180 s; output:\n" + out).isTrue();
        assertThat(bash.exitValue()).as("the documented commands' exit status; output:\n" + out).isZero();

        assertThat(out).as("the output of the documented commands")
                .contains(">>> all checked blocks ran")
                // README and top-protocol.md: signed calls, a batch, and the worked examples recomputed by tools
                .contains("\"item_get_response\":{\"item\":{\"num_iid\":123")
                .contains("\"time_get_response\"")
                .contains("15621b96bc71070d73ea48318f8881f2", "720ba4b08106d30bc8037ddcde1fd267",
                        "d34a446244ebeb79ad93d47a67d793fa8810ad4f77e867f57dc8d93f4b351b55")
                // the operator tour
                .contains("\"nick\":\"小店 Corner Shop\"")
                .contains("\"topaz_demo_echo_response\"")
                .contains("\"code\":7", "accesscontrol.limited-by-api-access-count", "(3 on each of 2 nodes)")
                .contains("passed: 10 of 10")
                // operations.md, Order sync: a target of one's own in the draft with its password, then taken out
                // again (the tour's next release counts no sync target)
                .contains("{\"target\":\"erp-orders\",\"version\":1}",
                        "\"kind\":\"sync-targets\",\"key\":\"erp-orders\",\"type\":\"ADDED\"")
                .doesNotContain("\"sync-targets\":1")
                .doesNotContain("error_response\":{\"code\":25", "\"code\":31", "Unexpected character");
        assertThat(out).containsPattern("refused: [1-9]\\d? of 10");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

package io.topaz.agent.sync.engine;

import com.sun.net.httpserver.HttpServer;
import io.topaz.agent.AgentSettings;
import io.topaz.agent.TopazAgent;
import io.topaz.agent.metadata.MetadataSettings;
import io.topaz.agent.net.Transport;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code --orders-db-url} on a real agent: refused without a broker, else the sync runs and the admin port shows it
 * (to anyone) and takes {@code POST /sync/reconcile} from the control plane's AGENT token only.
 */
class AgentSyncWiringTest {

    @TempDir
    Path dir;

    @Test
    void theFlagAndItsEnvironmentVariableAreRead() {
        AgentSettings s = AgentSettings.parse(List.of("--id=a1"), Map.of("TOPAZ_ORDERS_DB_URL",
                "jdbc:postgresql://db:5432/orders"), "test");
        assertThat(s.ordersDbUrl()).isEqualTo("jdbc:postgresql://db:5432/orders");
        assertThat(AgentSettings.parse(List.of("--id=a1"), Map.of(), "test").ordersDbUrl()).isNull();
    }

    /** The control plane's own token, as {@code GET /api/v1/me} names it to the agent. */
    private static final String CONTROL_PLANE_TOKEN = "tpz_control-plane-broker";

    /** A control plane that answers only {@code GET /api/v1/me}: AGENT for its own token, 401 for any other. */
    private static HttpServer controlPlane() throws IOException {
        HttpServer cp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        cp.createContext("/api/v1/me", ex -> {
            boolean known = ("Bearer " + CONTROL_PLANE_TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"));
            byte[] body = (known ? "{\"name\":\"control-plane-broker\",\"role\":\"AGENT\"}"
                    : "{\"error\":\"unauthorized\"}").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(known ? 200 : 401, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        cp.start();
        return cp;
    }

    @Test
    void anAgentWithTheOrdersDatabaseRunsTheSyncAndAnswersOnItsAdminPort() throws Exception {
        HttpServer cp = controlPlane();
        try (TestingServer zk = new TestingServer(true)) {
            String orders = "jdbc:h2:mem:agent_sync_" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
            AgentSettings noBroker = AgentSettings.of("s1", zk.getConnectString(), dir).withTransport(Transport.NIO)
                    .withOrdersDb(orders);
            assertThatThrownBy(() -> TopazAgent.start(noBroker, Clock.systemUTC()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("--orders-db-url needs --broker-port, --control-url and --agent-token");

            AgentSettings settings = noBroker.withBrokerPort(freePort())
                    .withMetadata(new MetadataSettings("http://127.0.0.1:" + cp.getAddress().getPort(), "token",
                            null, null));
            try (TopazAgent agent = TopazAgent.start(settings, Clock.systemUTC())) {
                assertThat(agent.sync()).isPresent();
                HttpClient http = HttpClient.newHttpClient();
                String base = "http://127.0.0.1:" + agent.adminPort();
                HttpResponse<String> status = http.send(HttpRequest.newBuilder(URI.create(base + "/sync")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(status.statusCode()).isEqualTo(200);
                assertThat(status.body()).startsWith("{\"groups\":[],\"load\":{\"agentId\":\"s1\",\"zone\":"
                        + "\"default\",\"cluster\":\"default\"").endsWith("\"groups\":{}}}");

                HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(base + "/sync/reconcile"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"target\":\"demo\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(anonymous.statusCode()).as("the production order DB is not anyone's to load").isEqualTo(401);
                assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
                HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(URI.create(base + "/sync/reconcile"))
                        .header("Authorization", "Bearer tpz_guessed").POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(unknown.statusCode()).isEqualTo(403);

                HttpResponse<String> noTarget = http.send(HttpRequest.newBuilder(URI.create(base + "/sync/reconcile"))
                        .header("Authorization", "Bearer " + CONTROL_PLANE_TOKEN)
                        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(noTarget.statusCode()).isEqualTo(400);
                assertThat(noTarget.body()).contains("target: required");

                HttpResponse<String> notHere = http.send(HttpRequest.newBuilder(URI.create(base + "/sync/reconcile"))
                        .header("Authorization", "Bearer " + CONTROL_PLANE_TOKEN)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"target\":\"demo\",\"group\":\"g1\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(notHere.statusCode()).isEqualTo(400);
                assertThat(notHere.body()).contains("is synced on this agent");
            }
        } finally {
            cp.stop(0);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

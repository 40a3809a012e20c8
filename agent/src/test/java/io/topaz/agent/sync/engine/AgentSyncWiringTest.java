package io.topaz.agent.sync.engine;

import io.topaz.agent.AgentSettings;
import io.topaz.agent.TopazAgent;
import io.topaz.agent.metadata.MetadataSettings;
import io.topaz.agent.net.Transport;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code --orders-db-url} on a real agent: refused without a broker, else the sync runs and the admin port shows it. */
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

    @Test
    void anAgentWithTheOrdersDatabaseRunsTheSyncAndAnswersOnItsAdminPort() throws Exception {
        try (TestingServer zk = new TestingServer(true)) {
            String orders = "jdbc:h2:mem:agent_sync_" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
            AgentSettings noBroker = AgentSettings.of("s1", zk.getConnectString(), dir).withTransport(Transport.NIO)
                    .withOrdersDb(orders);
            assertThatThrownBy(() -> TopazAgent.start(noBroker, Clock.systemUTC()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("--orders-db-url needs --broker-port, --control-url and --agent-token");

            AgentSettings settings = noBroker.withBrokerPort(freePort())
                    .withMetadata(new MetadataSettings("http://127.0.0.1:9", "token", null, null));
            try (TopazAgent agent = TopazAgent.start(settings, Clock.systemUTC())) {
                assertThat(agent.sync()).isPresent();
                HttpClient http = HttpClient.newHttpClient();
                String base = "http://127.0.0.1:" + agent.adminPort();
                HttpResponse<String> status = http.send(HttpRequest.newBuilder(URI.create(base + "/sync")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(status.statusCode()).isEqualTo(200);
                assertThat(status.body()).startsWith("{\"groups\":[],\"load\":{\"agentId\":\"s1\",\"zone\":"
                        + "\"default\",\"cluster\":\"default\"").endsWith("\"groups\":{}}}");

                HttpResponse<String> noTarget = http.send(HttpRequest.newBuilder(URI.create(base + "/sync/reconcile"))
                        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(noTarget.statusCode()).isEqualTo(400);
                assertThat(noTarget.body()).contains("target: required");

                HttpResponse<String> notHere = http.send(HttpRequest.newBuilder(URI.create(base + "/sync/reconcile"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"target\":\"demo\",\"group\":\"g1\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(notHere.statusCode()).isEqualTo(400);
                assertThat(notHere.body()).contains("is synced on this agent");
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

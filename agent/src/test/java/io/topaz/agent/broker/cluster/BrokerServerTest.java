package io.topaz.agent.broker.cluster;

import io.topaz.agent.broker.BrokerException;
import io.topaz.agent.broker.BrokerMessage;
import io.topaz.agent.broker.QueueName;
import io.topaz.model.json.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** The broker port's internal API: tokens and roles, bad input, the publish hook, the agents' routes. */
class BrokerServerTest {

    BrokerCluster cluster;
    BrokerCluster.Agent agent;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        cluster = new BrokerCluster();
        agent = cluster.start("solo");
        cluster.awaitViews();
    }

    @AfterEach
    void close() throws Exception {
        cluster.close();
    }

    HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.node.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(HttpResponse<String> r) {
        return Json.read(r.body().getBytes(StandardCharsets.UTF_8), Map.class);
    }

    @Test
    void aMissingOrUnknownTokenIs401() throws Exception {
        HttpResponse<String> none = call("POST", "/internal/v1/store", null, "{}");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(json(none).get("error")).asString().contains("Bearer");
        HttpResponse<String> unknown = call("POST", "/internal/v1/store", "who-knows", "{}");
        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(json(unknown)).containsKey("error");
    }

    @Test
    void aRoleTheRouteDoesNotAdmitIs403() throws Exception {
        assertThat(call("POST", "/internal/v1/store", BrokerCluster.VIEWER_TOKEN, "{}").statusCode()).isEqualTo(403);
        assertThat(call("POST", "/internal/v1/store", BrokerCluster.PUBLISHER_TOKEN, "{}").statusCode()).isEqualTo(403);
        assertThat(call("GET", "/internal/v1/queues", BrokerCluster.PUBLISHER_TOKEN, null).statusCode()).isEqualTo(403);
        HttpResponse<String> viewer = call("POST", "/internal/v1/publish", BrokerCluster.VIEWER_TOKEN, "{}");
        assertThat(viewer.statusCode()).isEqualTo(403);
        assertThat(json(viewer).get("error")).asString().contains("PUBLISHER");
    }

    @Test
    void tokensAreCheckedOnceWithinTheCacheTime() throws Exception {
        int before = cluster.meCalls.get();
        for (int i = 0; i < 5; i++) {
            assertThat(call("GET", "/internal/v1/queues", BrokerCluster.AGENT_TOKEN, null).statusCode()).isEqualTo(200);
        }
        assertThat(cluster.meCalls.get() - before).isLessThanOrEqualTo(1);
    }

    @Test
    void badInputIs400WithAReasonAndNoStackTrace() throws Exception {
        for (String body : List.of("not json", "{\"message\": 3}", "{\"queues\": [\"a/b\"]}",
                "{\"message\": {\"id\": 0, \"topic\": \"t\", \"publisher\": \"p\", \"userId\": 1, \"userNick\": \"n\", "
                        + "\"content\": \"{}\"}, \"queues\": [\"a/b\"]}",
                "{\"message\": {\"id\": 5, \"topic\": \"t\", \"publisher\": \"p\", \"userId\": 1, \"userNick\": \"n\", "
                        + "\"content\": \"{}\"}, \"queues\": [\"no-slash\"]}")) {
            HttpResponse<String> r = call("POST", "/internal/v1/store", BrokerCluster.AGENT_TOKEN, body);
            assertThat(r.statusCode()).as(body).isEqualTo(400);
            assertThat(json(r).get("error")).as(body).asString().isNotBlank().doesNotContain("\tat ");
        }
        HttpResponse<String> max = call("POST", "/internal/v1/consume", BrokerCluster.AGENT_TOKEN,
                "{\"queue\": \"a/default\", \"max\": 0}");
        assertThat(max.statusCode()).isEqualTo(400);
        assertThat(json(max).get("error")).asString().contains("max");
        assertThat(call("GET", "/internal/v1/dead-letters?page=0", BrokerCluster.AGENT_TOKEN, null).statusCode())
                .isEqualTo(400); // app is required
        assertThat(call("POST", "/internal/v1/nothing", BrokerCluster.AGENT_TOKEN, "{}").statusCode()).isEqualTo(404);
    }

    @Test
    void storeConsumeConfirmAndQueuesOverHttp() throws Exception {
        BrokerMessage m = agent.message("taobao_trade_TradeCreate", 5);
        String store = new String(Json.write(Map.of("message", m, "queues", List.of("app/default"))),
                StandardCharsets.UTF_8);
        assertThat(call("POST", "/internal/v1/store", BrokerCluster.AGENT_TOKEN, store).body()).isEqualTo("{}");
        assertThat(agent.disk.ids(new QueueName("app", "default"))).containsExactly(m.id());

        HttpResponse<String> consumed = call("POST", "/internal/v1/consume", BrokerCluster.AGENT_TOKEN,
                "{\"queue\": \"app/default\", \"max\": 5}");
        assertThat(consumed.statusCode()).isEqualTo(200);
        Wire.ConsumeAnswer answer = Json.read(consumed.body().getBytes(StandardCharsets.UTF_8), Wire.ConsumeAnswer.class);
        assertThat(answer.deliveries()).hasSize(1);
        assertThat(answer.deliveries().get(0).message()).isEqualTo(m);

        HttpResponse<String> confirmed = call("POST", "/internal/v1/confirm", BrokerCluster.AGENT_TOKEN,
                "{\"queue\": \"app/default\", \"confirmed\": [" + m.id() + ", 99]}");
        assertThat(json(confirmed)).containsEntry("confirmed", 1).containsEntry("ignored", 1);

        HttpResponse<String> queues = call("GET", "/internal/v1/queues", BrokerCluster.AGENT_TOKEN, null);
        assertThat(json(queues)).containsEntry("agentId", "solo");
        assertThat(queues.body()).contains("\"queue\":\"app/default\"");
        HttpResponse<String> dead = call("GET", "/internal/v1/dead-letters?app=app", BrokerCluster.AGENT_TOKEN, null);
        assertThat(json(dead)).containsEntry("total", 0);
    }

    @Test
    void publishIs503UntilAHandlerIsPluggedThenAnswersItsBody() throws Exception {
        HttpResponse<String> unset = call("POST", "/internal/v1/publish", BrokerCluster.PUBLISHER_TOKEN, "{}");
        assertThat(unset.statusCode()).isEqualTo(503);
        assertThat(json(unset)).containsEntry("kind", "UNAVAILABLE");
        assertThat(json(unset).get("error")).asString().contains("publishing not configured");

        agent.node.publishHandler((publisher, body) -> {
            String text = new String(body, StandardCharsets.UTF_8);
            if (text.contains("bad")) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("content must be a JSON object"));
            }
            if (text.contains("busy")) {
                return CompletableFuture.failedFuture(new BrokerException(BrokerException.Kind.OVERLOADED, "busy"));
            }
            return CompletableFuture.completedFuture(("{\"msgId\":1,\"by\":\"" + publisher + "\"}")
                    .getBytes(StandardCharsets.UTF_8));
        });
        HttpResponse<String> ok = call("POST", "/internal/v1/publish", BrokerCluster.PUBLISHER_TOKEN, "{}");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(json(ok)).containsEntry("by", BrokerCluster.PUBLISHER_TOKEN + "-name");
        assertThat(call("POST", "/internal/v1/publish", BrokerCluster.AGENT_TOKEN, "{}").statusCode()).isEqualTo(200);
        HttpResponse<String> bad = call("POST", "/internal/v1/publish", BrokerCluster.PUBLISHER_TOKEN, "{\"bad\":1}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(bad)).containsEntry("error", "content must be a JSON object");
        HttpResponse<String> busy = call("POST", "/internal/v1/publish", BrokerCluster.PUBLISHER_TOKEN, "{\"busy\":1}");
        assertThat(busy.statusCode()).isEqualTo(503);
        assertThat(json(busy)).containsEntry("kind", "OVERLOADED");
    }

    @Test
    void anOversizedRequestIsRefused() throws Exception {
        String big = "{\"queue\": \"a/b\", \"messages\": [], \"pad\": \"" + "x".repeat(17 * 1024 * 1024) + "\"}";
        HttpResponse<String> r;
        try {
            r = call("POST", "/internal/v1/handoff", BrokerCluster.AGENT_TOKEN, big);
        } catch (java.io.IOException closed) {
            return; // the server may close before the client finished sending: refused either way
        }
        assertThat(r.statusCode()).isEqualTo(413);
    }
}

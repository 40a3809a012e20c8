package io.topaz.bench.sync;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The generator's publisher: one POST per message on a few keep-alive connections, with the token, each answer
 * counted (200 acknowledged, anything else failed with its first error kept).
 */
class BrokerPublisherTest {

    @Test
    void publishesEachMessageOnceOverKeepAliveConnectionsAndCountsTheAnswers() throws Exception {
        ConcurrentLinkedQueue<String> bodies = new ConcurrentLinkedQueue<>();
        Set<String> peers = ConcurrentHashMap.newKeySet();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/internal/v1/publish", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            peers.add(ex.getRemoteAddress().toString());
            boolean ok = "Bearer pub-token".equals(ex.getRequestHeaders().getFirst("Authorization"))
                    && !body.contains("\"userId\":13,");
            if (ok) {
                bodies.add(body);
            }
            byte[] answer = (ok ? "{\"msgId\":1}" : "{\"error\":\"refused\"}").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(ok ? 200 : 400, answer.length);
            ex.getResponseBody().write(answer);
            ex.close();
        });
        server.start();
        try (BrokerPublisher p = new BrokerPublisher(URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                "pub-token", 64, 3)) {
            for (int i = 1; i <= 300; i++) {
                p.publish(TradeCenter.CHANGED, i, "{\"tid\":" + i + "}");
            }
            assertThat(p.drain(Duration.ofSeconds(30))).isTrue();

            assertThat(p.acknowledged()).isEqualTo(299);
            assertThat(p.failed()).isEqualTo(1);
            assertThat(p.firstError()).startsWith("HTTP 400").contains("refused");
            assertThat(bodies).hasSize(299).contains("{\"topic\":\"taobao_trade_TradeChanged\",\"userId\":7,"
                    + "\"content\":{\"tid\":7}}");
            assertThat(peers).as("connections used: at most one per publishing thread").hasSizeLessThanOrEqualTo(3);
            assertThat(p.latencyMillis(0.99)).isPositive();
        } finally {
            server.stop(0);
        }
    }
}

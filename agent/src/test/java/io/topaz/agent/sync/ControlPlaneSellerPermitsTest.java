package io.topaz.agent.sync;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The sellers who permitted an app, over the control plane's AGENT lookup, against a stand-in answering as the control
 * plane does (the real endpoint is exercised in the control-plane module, TmcDataApiTest): fail-over from a dead
 * control plane, the list parsed, an unknown app or a wrong token a failure, a change announced to the listeners.
 */
class ControlPlaneSellerPermitsTest {

    private static final String TOKEN = "tpz_agent-token";
    private HttpServer server;
    private ExecutorService executor;
    private String dead;

    @BeforeEach
    void start() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            dead = "http://127.0.0.1:" + s.getLocalPort();
        }
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/metadata/tmc/apps/", this::handle);
        server.start();
        executor = Executors.newFixedThreadPool(2);
    }

    @AfterEach
    void stop() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (!("Bearer " + TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                send(ex, 403, "{\"error\":\"Forbidden\"}");
            } else if (path.equals("/api/v1/metadata/tmc/apps/12345678/permits/sellers")) {
                send(ex, 200, "{\"appKey\":\"12345678\",\"sellers\":[{\"userId\":3100000001,\"nick\":\"店铺一\","
                        + "\"permittedAt\":1700000000000},{\"userId\":3100000002,\"nick\":\"b\",\"permittedAt\":5}]}");
            } else {
                send(ex, 404, "{\"error\":\"no app\"}");
            }
        }
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    private String live() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void theListIsReadFromAControlPlaneThatAnswers() throws Exception {
        ControlPlaneSellerPermits p = new ControlPlaneSellerPermits(dead + "," + live(), TOKEN, executor);
        assertThat(p.sellers("12345678").get(10, TimeUnit.SECONDS)).containsExactly(
                new SellerPermits.Seller(3100000001L, "店铺一", 1700000000000L),
                new SellerPermits.Seller(3100000002L, "b", 5));
        assertThatThrownBy(() -> p.sellers("nope").get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasMessageContaining("404");
        assertThatThrownBy(() -> new ControlPlaneSellerPermits(live(), "wrong", executor).sellers("12345678")
                .get(10, TimeUnit.SECONDS)).hasMessageContaining("AGENT role");

        AtomicInteger changes = new AtomicInteger();
        p.onChange(changes::incrementAndGet);
        p.changed();
        assertThat(changes.get()).isEqualTo(1);
    }
}

package io.topaz.bench.messaging;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class BlockingHttpTest {

    private HttpServer server;
    private final AtomicReference<String> lastBody = new AtomicReference<>();
    private final AtomicReference<String> lastAuth = new AtomicReference<>();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/fixed", ex -> {
            lastBody.set(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            lastAuth.set(ex.getRequestHeaders().getFirst("Authorization"));
            byte[] b = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.createContext("/chunked", ex -> {
            ex.sendResponseHeaders(404, 0); // length 0: chunked
            try (OutputStream out = ex.getResponseBody()) {
                out.write("part one, ".getBytes(StandardCharsets.UTF_8));
                out.flush();
                out.write("part two".getBytes(StandardCharsets.UTF_8));
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void readsFixedLengthAndChunkedAnswersOnOneKeptAliveConnection() throws Exception {
        try (BlockingHttp http = new BlockingHttp(URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                5_000)) {
            for (int i = 0; i < 3; i++) {
                BlockingHttp.Answer a = http.post("/fixed", "text/plain", ("call " + i).getBytes(StandardCharsets.UTF_8),
                        "Bearer t");
                assertThat(a.status()).isEqualTo(200);
                assertThat(a.text()).isEqualTo("{\"ok\":true}");
                assertThat(lastBody.get()).isEqualTo("call " + i);
                assertThat(lastAuth.get()).isEqualTo("Bearer t");
                BlockingHttp.Answer c = http.get("/chunked", null);
                assertThat(c.status()).isEqualTo(404);
                assertThat(c.text()).isEqualTo("part one, part two");
            }
        }
    }
}

package io.topaz.agent.metadata;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Metadata lookups with two control planes in {@code --control-url}, the first of them dead, reach the second. */
class ControlPlaneSourceFailoverTest {

    @Test
    void lookupsFailOverFromADeadControlPlaneToTheLiveOne() throws Exception {
        String dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = "http://127.0.0.1:" + s.getLocalPort();
        }
        AtomicInteger lookups = new AtomicInteger();
        HttpServer live = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        live.createContext("/api/v1/metadata/lookup", ex -> {
            lookups.incrementAndGet();
            byte[] body = "{\"apps\":{},\"sessions\":{}}".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        live.start();
        ExecutorService executor = Executors.newFixedThreadPool(2);
        try {
            ControlPlaneSource source = new ControlPlaneSource(dead + ",http://127.0.0.1:" + live.getAddress().getPort(),
                    "tpz_agent", executor);
            assertThat(source.apps(Set.of("app-1")).get(10, TimeUnit.SECONDS)).isEmpty();
            assertThat(source.sessions(Set.of("h")).get(10, TimeUnit.SECONDS)).isEmpty();
            assertThat(lookups).hasValue(2);
        } finally {
            live.stop(0);
            executor.shutdownNow();
        }
    }
}

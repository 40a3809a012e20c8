package io.topaz.agent.control;

import com.github.benmanes.caffeine.cache.Ticker;
import com.sun.net.httpserver.HttpServer;
import io.topaz.agent.broker.cluster.ControlPlaneAuth;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code --control-url} with several control planes: a call goes on to the next when one is dead or answers 5xx,
 * sticks to the one that answered, and takes a 4xx as the answer.
 */
class ControlPlaneUrlsTest {

    private final List<HttpServer> servers = new ArrayList<>();
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final HttpClient http = HttpClient.newBuilder().executor(executor).connectTimeout(Duration.ofSeconds(2)).build();

    @AfterEach
    void stop() {
        servers.forEach(s -> s.stop(0));
        executor.shutdownNow();
    }

    /** A server answering every request with {@code status} and {@code body}, counting the requests. */
    private String server(int status, String body, AtomicInteger hits) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.createContext("/", ex -> {
            hits.incrementAndGet();
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        s.start();
        servers.add(s);
        return "http://127.0.0.1:" + s.getAddress().getPort();
    }

    private static String deadUrl() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return "http://127.0.0.1:" + s.getLocalPort(); // closed again: connections are refused
        }
    }

    private int get(ControlPlaneUrls urls) throws Exception {
        return urls.send(http, base -> HttpRequest.newBuilder(URI.create(base + "/api/v1/me")).GET().build())
                .get(10, TimeUnit.SECONDS).statusCode();
    }

    @Test
    void aDeadFirstControlPlaneFailsOverToTheNextWhichIsThenAskedFirst() throws Exception {
        AtomicInteger hits = new AtomicInteger();
        String live = server(200, "{}", hits);
        ControlPlaneUrls urls = ControlPlaneUrls.parse(deadUrl() + ", " + live + "/");
        assertThat(get(urls)).isEqualTo(200);
        assertThat(urls.preferred()).isEqualTo(live);
        assertThat(get(urls)).isEqualTo(200);
        assertThat(hits).hasValue(2);
    }

    @Test
    void aServerErrorFailsOverButAClientErrorIsTheAnswer() throws Exception {
        AtomicInteger sick = new AtomicInteger();
        AtomicInteger healthy = new AtomicInteger();
        String failing = server(503, "{}", sick);
        String fine = server(200, "{}", healthy);
        ControlPlaneUrls urls = ControlPlaneUrls.parse(failing + "," + fine);
        assertThat(get(urls)).isEqualTo(200);
        assertThat(sick).hasValue(1);
        assertThat(healthy).hasValue(1);

        AtomicInteger refusing = new AtomicInteger();
        AtomicInteger second = new AtomicInteger();
        ControlPlaneUrls strict = ControlPlaneUrls.parse(server(401, "{}", refusing) + "," + server(200, "{}", second));
        assertThat(get(strict)).isEqualTo(401);
        assertThat(second).hasValue(0);
    }

    @Test
    void whenAllFailTheLastFailureIsTheAnswer() throws Exception {
        ControlPlaneUrls urls = ControlPlaneUrls.parse(deadUrl() + "," + deadUrl());
        assertThatThrownBy(() -> get(urls)).hasCauseInstanceOf(java.net.ConnectException.class);
        AtomicInteger hits = new AtomicInteger();
        assertThat(get(ControlPlaneUrls.parse(deadUrl() + "," + server(502, "{}", hits)))).isEqualTo(502);
    }

    @Test
    void everyUrlOfTheListIsChecked() {
        assertThat(ControlPlaneUrls.validate("http://cp1:9080, https://cp2:9443/")).containsExactly("http://cp1:9080",
                "https://cp2:9443");
        assertThatThrownBy(() -> ControlPlaneUrls.validate("http://cp1:9080,cp2:9080"))
                .hasMessageContaining("'cp2:9080' must be an http(s) URL");
        assertThatThrownBy(() -> ControlPlaneUrls.validate(" , ")).hasMessageContaining("names no URL");
    }

    @Test
    void theBrokerPortsTokenCheckFailsOverToo() throws Exception {
        AtomicInteger hits = new AtomicInteger();
        String live = server(200, "{\"name\":\"svc\",\"role\":\"PUBLISHER\"}", hits);
        ControlPlaneAuth auth = new ControlPlaneAuth(deadUrl() + "," + live, executor, Duration.ofSeconds(5),
                Ticker.systemTicker());
        assertThat(auth.caller("tpz_any").get(10, TimeUnit.SECONDS))
                .contains(new ControlPlaneAuth.Caller("svc", "PUBLISHER"));
    }
}

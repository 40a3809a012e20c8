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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The agent's sync-target passwords over the control plane's AGENT lookup, against a stand-in that answers as the
 * control plane does (its real counterpart is exercised in the control-plane module, SyncTargetApiTest): fail-over
 * from a dead control plane, answers kept until the TTL or a password-change event, 404 as empty, failures not kept.
 */
class ControlPlaneSyncCredentialsTest {

    private static final String TOKEN = "tpz_agent-token";

    private final Map<String, String> stored = new ConcurrentHashMap<>();
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private volatile int forcedStatus;
    private HttpServer server;
    private ExecutorService executor;
    private String dead;

    @BeforeEach
    void start() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            dead = "http://127.0.0.1:" + s.getLocalPort();
        }
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/metadata/sync-targets/", this::handle);
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
            String path = ex.getRequestURI().getPath(); // decoded
            asked.add(path);
            if (!("Bearer " + TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                send(ex, 403, "{\"error\":\"Forbidden\"}");
                return;
            }
            if (forcedStatus != 0) {
                send(ex, forcedStatus, "{\"error\":\"forced\"}");
                return;
            }
            String name = path.substring("/api/v1/metadata/sync-targets/".length(), path.length() - "/password".length());
            String password = stored.get(name);
            if (password == null) {
                send(ex, 404, "{\"error\":\"none\"}");
            } else {
                send(ex, 200, "{\"password\":\"" + password.replace("\"", "\\\"") + "\"}");
            }
        }
    }

    private static void send(HttpExchange ex, int status, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    private ControlPlaneSyncCredentials credentials(String token) {
        String live = "http://127.0.0.1:" + server.getAddress().getPort();
        return new ControlPlaneSyncCredentials(dead + "," + live, token, executor, Duration.ofSeconds(60), nanos::get);
    }

    private static String get(ControlPlaneSyncCredentials c, String target) throws Exception {
        return c.password(target).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aPasswordIsReadOnceThroughTheLiveControlPlaneAndKeptUntilItChanges() throws Exception {
        stored.put("erp", "s3cret \"quoted\"");
        ControlPlaneSyncCredentials c = credentials(TOKEN);

        assertThat(get(c, "erp")).isEqualTo("s3cret \"quoted\"");
        assertThat(get(c, "erp")).isEqualTo("s3cret \"quoted\"");
        assertThat(asked).as("kept: asked once, past the dead control plane").containsExactly(
                "/api/v1/metadata/sync-targets/erp/password");

        stored.put("erp", "rotated");
        c.changed("erp"); // the SYNC_TARGET event of the change
        assertThat(get(c, "erp")).isEqualTo("rotated");
        assertThat(asked).hasSize(2);

        stored.put("erp", "expired");
        nanos.addAndGet(Duration.ofSeconds(61).toNanos());
        assertThat(get(c, "erp")).as("read again past the TTL without an event").isEqualTo("expired");

        stored.put("erp", "after-gap");
        c.changed(null); // missed events: anything may have changed
        assertThat(get(c, "erp")).isEqualTo("after-gap");
    }

    @Test
    void aTargetWithoutPasswordReadsAsEmptyAndNamesAreEncoded() throws Exception {
        ControlPlaneSyncCredentials c = credentials(TOKEN);
        assertThat(get(c, "no-password")).isEmpty();
        assertThat(get(c, "a b.c")).isEmpty();
        assertThat(asked).contains("/api/v1/metadata/sync-targets/a b.c/password");
    }

    @Test
    void failuresSayWhyAndAreNotKept() throws Exception {
        ControlPlaneSyncCredentials wrongToken = credentials("tpz_not-an-agent");
        assertThatThrownBy(() -> get(wrongToken, "erp")).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("403").hasMessageContaining("AGENT role");

        stored.put("erp", "pw");
        ControlPlaneSyncCredentials c = credentials(TOKEN);
        forcedStatus = 503; // every control plane failing
        assertThatThrownBy(() -> get(c, "erp")).hasMessageContaining("503").hasMessageNotContaining("pw");
        forcedStatus = 0;
        assertThat(get(c, "erp")).as("the failure was not kept").isEqualTo("pw");
    }
}

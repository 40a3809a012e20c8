package io.topaz.agent.sync;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.topaz.model.metadata.TmcUser;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The sellers who permitted an app, over the control plane's AGENT lookup, against a stand-in answering as the control
 * plane does (the real endpoint is exercised in the control-plane module, TmcDataApiTest): fail-over from a dead
 * control plane, the list read a page at a time (and whole from a control plane that does not page), an unknown app,
 * a wrong token or a page that does not advance a failure; one seller's permits from the metadata; events announced
 * to the listeners.
 */
class ControlPlaneSellerPermitsTest {

    private static final String TOKEN = "tpz_agent-token";
    private static final String SELLER_1 = "{\"userId\":3100000001,\"nick\":\"店铺一\",\"permittedAt\":1700000000000}";
    private static final String SELLER_2 = "{\"userId\":3100000002,\"nick\":\"b\",\"permittedAt\":5}";
    private final List<String> queries = new CopyOnWriteArrayList<>();
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
                queries.add(ex.getRequestURI().getQuery());
                String query = ex.getRequestURI().getQuery();
                if (query == null || !query.startsWith("limit=")) {
                    send(ex, 200, "{\"appKey\":\"12345678\",\"sellers\":[" + SELLER_1 + "," + SELLER_2 + "]}");
                } else if (!query.contains("after=")) { // pages of one, as the control plane pages by user id
                    send(ex, 200, "{\"appKey\":\"12345678\",\"sellers\":[" + SELLER_2 + "],\"next\":\"3100000002\"}");
                } else if (query.endsWith("after=3100000002")) {
                    send(ex, 200, "{\"appKey\":\"12345678\",\"sellers\":[" + SELLER_1 + "],\"next\":\"3100000003\"}");
                } else if (query.endsWith("after=3100000003")) {
                    send(ex, 200, "{\"appKey\":\"12345678\",\"sellers\":[],\"next\":null}");
                } else {
                    send(ex, 400, "{\"error\":\"bad page\"}");
                }
            } else if (path.equals("/api/v1/metadata/tmc/apps/stuck/permits/sellers")) {
                send(ex, 200, "{\"appKey\":\"stuck\",\"sellers\":[],\"next\":\"1\"}");
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

    private static CompletableFuture<Optional<TmcUser>> noUsers(long id) {
        return CompletableFuture.completedFuture(Optional.empty());
    }

    @Test
    void theListIsReadFromAControlPlaneThatAnswersAPageAtATime() throws Exception {
        ControlPlaneSellerPermits p = new ControlPlaneSellerPermits(dead + "," + live(), TOKEN, executor,
                ControlPlaneSellerPermitsTest::noUsers, 1);
        assertThat(p.sellers("12345678").get(10, TimeUnit.SECONDS)).containsExactly( // by user id
                new SellerPermits.Seller(3100000001L, "店铺一", 1700000000000L),
                new SellerPermits.Seller(3100000002L, "b", 5));
        assertThat(queries).containsExactly("limit=1", "limit=1&after=3100000002", "limit=1&after=3100000003");

        assertThatThrownBy(() -> p.sellers("stuck").get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasMessageContaining("does not advance");
        assertThatThrownBy(() -> p.sellers("nope").get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasMessageContaining("404");
        assertThatThrownBy(() -> new ControlPlaneSellerPermits(live(), "wrong", executor,
                ControlPlaneSellerPermitsTest::noUsers).sellers("12345678").get(10, TimeUnit.SECONDS))
                .hasMessageContaining("AGENT role");
    }

    @Test
    void aControlPlaneThatDoesNotPageAnswersTheWholeListAtOnce() throws Exception {
        // an older control plane ignores limit and after, and its answer has no next: that is the whole list
        HttpServer old = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        old.createContext("/", ex -> {
            try (ex) {
                send(ex, 200, "{\"appKey\":\"12345678\",\"sellers\":[" + SELLER_2 + "," + SELLER_1 + "]}");
            }
        });
        old.start();
        try {
            ControlPlaneSellerPermits p = new ControlPlaneSellerPermits(
                    "http://127.0.0.1:" + old.getAddress().getPort(), TOKEN, executor,
                    ControlPlaneSellerPermitsTest::noUsers);
            assertThat(p.sellers("12345678").get(10, TimeUnit.SECONDS)).extracting(SellerPermits.Seller::userId)
                    .containsExactly(3100000001L, 3100000002L);
        } finally {
            old.stop(0);
        }
    }

    @Test
    void oneSellersPermitsComeFromTheMessageServicesMetadata() throws Exception {
        TmcUser user = new TmcUser(3100000009L, "c", List.of(
                new TmcUser.Permit("app-a", null, true, null, 11, 12),
                new TmcUser.Permit("app-b", List.of("taobao_trade_TradeCreate"), false, "g1", 21, 22)), 4);
        ControlPlaneSellerPermits p = new ControlPlaneSellerPermits(live(), TOKEN, executor,
                id -> CompletableFuture.completedFuture(id == 3100000009L ? Optional.of(user) : Optional.empty()));
        assertThat(p.permitsOf(3100000009L).get(10, TimeUnit.SECONDS)).isEqualTo(new SellerPermits.UserPermits(4,
                Map.of("app-a", new SellerPermits.Seller(3100000009L, "c", 11),
                        "app-b", new SellerPermits.Seller(3100000009L, "c", 21))));
        assertThat(p.permitsOf(42).get(10, TimeUnit.SECONDS)).isEqualTo(new SellerPermits.UserPermits(0, Map.of()));
    }

    @Test
    void anEventNamesTheSellerAndMissedEventsNameNone() {
        ControlPlaneSellerPermits p = new ControlPlaneSellerPermits(live(), TOKEN, executor,
                ControlPlaneSellerPermitsTest::noUsers);
        List<String> heard = new ArrayList<>();
        p.onChange(new SellerPermits.Listener() {
            @Override
            public void seller(long userId, long version) {
                heard.add("seller " + userId + " v" + version);
            }

            @Override
            public void all() {
                heard.add("all");
            }
        });
        p.changed("3100000001", 5);
        p.changed(null, 0);
        p.changed("not-a-number", 6);
        assertThat(heard).containsExactly("seller 3100000001 v5", "all", "all");
    }
}

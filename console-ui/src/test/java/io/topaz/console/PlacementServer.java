package io.topaz.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * The control plane's placement API as documented ({@code GET /api/v1/placement}, {@code POST
 * /api/v1/placement/{group}/move}) served in process, in front of a real control plane that answers everything else:
 * the console's placement tests run before the control plane serves placement itself. Binds port 0 on the loopback.
 */
public final class PlacementServer implements AutoCloseable {

    private static final Set<String> FORWARDED = Set.of("Authorization", "If-Match", "Idempotency-Key", "Content-Type",
            "Accept");

    private final HttpServer server;
    private final HttpClient http = HttpClient.newHttpClient();
    private final String upstream;
    private final List<String> moves = new CopyOnWriteArrayList<>();
    private volatile String placement = "{\"leader\":null,\"clusters\":[]}";
    private volatile int moveStatus = 200;
    private volatile String moveAnswer = "{}";
    private volatile String afterMove;

    /** @param upstream the real control plane's URL, or null to answer 404 to everything but placement */
    public PlacementServer(String upstream) throws IOException {
        this.upstream = upstream;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** What {@code GET /api/v1/placement} answers from now on. */
    public PlacementServer placement(String json) {
        placement = json;
        return this;
    }

    /** What the next moves answer. */
    public PlacementServer moveAnswers(int status, String json) {
        moveStatus = status;
        moveAnswer = json;
        return this;
    }

    /** What {@code GET /api/v1/placement} answers once a move was received (as the leader would have placed it). */
    public PlacementServer afterMove(String json) {
        afterMove = json;
        return this;
    }

    /** Each move received: {@code group <- body}. */
    public List<String> moves() {
        return moves;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (path.equals("/api/v1/placement") && ex.getRequestMethod().equals("GET")) {
                answer(ex, 200, placement);
            } else if (path.startsWith("/api/v1/placement/") && path.endsWith("/move")
                    && ex.getRequestMethod().equals("POST")) {
                String group = path.substring("/api/v1/placement/".length(), path.length() - "/move".length());
                moves.add(group + " <- " + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                if (afterMove != null && moveStatus == 200) {
                    placement = afterMove;
                    afterMove = null;
                }
                answer(ex, moveStatus, moveAnswer);
            } else if (upstream == null) {
                answer(ex, 404, "{\"status\":404,\"error\":\"Not Found\",\"message\":\"no such endpoint\"}");
            } else {
                forward(ex);
            }
        }
    }

    private void forward(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(upstream + ex.getRequestURI()))
                .method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        ex.getRequestHeaders().forEach((name, values) -> {
            if (FORWARDED.stream().anyMatch(f -> f.equalsIgnoreCase(name))) {
                values.forEach(v -> b.header(name, v));
            }
        });
        HttpResponse<byte[]> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        r.headers().firstValue("Content-Type").ifPresent(v -> ex.getResponseHeaders().set("Content-Type", v));
        byte[] out = r.body();
        ex.sendResponseHeaders(r.statusCode(), out.length == 0 ? -1 : out.length);
        if (out.length > 0) {
            try (OutputStream o = ex.getResponseBody()) {
                o.write(out);
            }
        }
    }

    private static void answer(HttpExchange ex, int status, String json) throws IOException {
        byte[] out = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, out.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(out);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}

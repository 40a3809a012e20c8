package io.topaz.control.messages;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.topaz.agent.fleet.Registration;
import io.topaz.model.fleet.AgentInfo;
import io.topaz.model.json.Json;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * An agent reduced to its broker port's internal API for the control plane ({@code docs/tmc-protocol.md}, "The broker
 * port's internal API"): registered in ZooKeeper through the agent's own {@link Registration} with a {@code broker}
 * port, serving {@code GET /internal/v1/queues}, {@code GET /internal/v1/dead-letters} and
 * {@code POST /internal/v1/dead-letters/replay|purge} from what the test puts in it. Like a real agent it checks every
 * bearer token by asking the control plane ({@code GET /api/v1/me}): 401 when unknown, 403 when not AGENT.
 */
final class FakeBrokerAgent implements AutoCloseable {

    /** A request as the agent received it. */
    record Seen(String method, String pathAndQuery, String body) {
    }

    private final String controlUrl;
    private final CuratorFramework curator;
    private final Registration registration;
    private final HttpServer broker;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Map<String, Object>> queues = new CopyOnWriteArrayList<>();
    private final List<Map<String, Object>> deadLetters = new CopyOnWriteArrayList<>();
    private final List<Map<String, Object>> connections = new CopyOnWriteArrayList<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile boolean hang;
    private boolean stopped;

    FakeBrokerAgent(String zkConnect, ZkLayout layout, String id, long startedAtMillis, String controlUrl)
            throws IOException {
        this.controlUrl = controlUrl;
        broker = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        broker.setExecutor(Executors.newCachedThreadPool());
        broker.createContext("/internal/v1/", this::handle);
        broker.start();
        curator = CuratorFrameworkFactory.newClient(zkConnect, new ExponentialBackoffRetry(100, 3));
        curator.start();
        registration = new Registration(curator, layout, new AgentInfo(id, "zone-a", "c1", "127.0.0.1",
                Map.of("admin", 1, "broker", broker.getAddress().getPort()), "fake", startedAtMillis, 1,
                startedAtMillis));
        registration.start();
    }

    /** Adds a queue to {@code GET /internal/v1/queues}. */
    FakeBrokerAgent queue(String queue, long backlog, long inFlight, long oldestAgeMillis, long delivered,
                          long confirmed, long redelivered, long deadLettered, long deadLetterCount) {
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("queue", queue);
        q.put("backlog", backlog);
        q.put("inFlight", inFlight);
        q.put("oldestUnconfirmedAgeMillis", oldestAgeMillis);
        q.put("delivered", delivered);
        q.put("confirmed", confirmed);
        q.put("redelivered", redelivered);
        q.put("deadLettered", deadLettered);
        q.put("deadLetters", deadLetterCount);
        queues.add(q);
        return this;
    }

    /** Adds a dead letter of {@code queue} ("app/group"). */
    FakeBrokerAgent deadLetter(long id, String queue, String topic, long deadAtMillis, int attempts, String reason) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("id", id);
        message.put("topic", topic);
        message.put("publisher", "producer-app");
        message.put("pubTimeMillis", deadAtMillis - 60_000);
        message.put("userId", 2_000_000_000L + id);
        message.put("userNick", "seller-" + id);
        message.put("content", "{\"tid\":" + id + ",\"seller_nick\":\"seller-" + id + "\"}");
        message.put("dataId", id);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("message", message);
        d.put("queue", queue);
        d.put("deadAtMillis", deadAtMillis);
        d.put("attempts", attempts);
        d.put("reason", reason);
        deadLetters.add(d);
        return this;
    }

    /** Adds a push connection to {@code GET /internal/v1/connections}. */
    FakeBrokerAgent connection(String id, String app, String group, long sinceMillis, long inFlight, long pushed,
                               long confirmed) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("id", id);
        c.put("app", app);
        c.put("group", group);
        c.put("remote", "/10.0.0.7:5" + id);
        c.put("sinceMillis", sinceMillis);
        c.put("inFlight", inFlight);
        c.put("pushed", pushed);
        c.put("confirmed", confirmed);
        connections.add(c);
        return this;
    }

    int connectionCount() {
        return connections.size();
    }

    List<Seen> seen() {
        return List.copyOf(seen);
    }

    int deadLetterCount() {
        return deadLetters.size();
    }

    /** From now on, accepts requests and never answers them, like an agent stuck in a long pause. */
    void hang() {
        hang = true;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String path = ex.getRequestURI().getPath();
            String query = ex.getRequestURI().getRawQuery();
            seen.add(new Seen(ex.getRequestMethod(), path + (query == null ? "" : "?" + query), body));
            if (hang) {
                released.await(30, TimeUnit.SECONDS);
                return;
            }
            int auth = checkToken(ex.getRequestHeaders().getFirst("Authorization"));
            if (auth != 200) {
                send(ex, auth, Map.of("error", auth == 401 ? "unknown token" : "wrong role"));
                return;
            }
            switch (ex.getRequestMethod() + " " + path) {
                case "GET /internal/v1/queues" -> send(ex, 200, Map.of("agentId", "ignored-by-cp", "queues", queues));
                case "GET /internal/v1/dead-letters" -> deadLetters(ex, params(query));
                case "POST /internal/v1/dead-letters/replay" -> send(ex, 200, Map.of("replayed", remove(body)));
                case "POST /internal/v1/dead-letters/purge" -> send(ex, 200, Map.of("purged", remove(body)));
                case "GET /internal/v1/connections" -> send(ex, 200, Map.of("agentId", "ignored-by-cp",
                        "connections", connections));
                case "POST /internal/v1/connections/disconnect" -> {
                    String id = Json.lenient().readTree(body).get("id").asString();
                    send(ex, 200, Map.of("disconnected", connections.removeIf(c -> c.get("id").equals(id))));
                }
                default -> send(ex, 404, Map.of("error", "no such endpoint"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** As a real agent: the control plane says whose token it is; only AGENT may call these endpoints. */
    private int checkToken(String header) throws IOException, InterruptedException {
        if (header == null || !header.startsWith("Bearer ")) {
            return 401;
        }
        HttpResponse<String> me = http.send(HttpRequest.newBuilder(URI.create(controlUrl + "/api/v1/me"))
                .header("Authorization", header).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (me.statusCode() != 200) {
            return 401;
        }
        return "AGENT".equals(Json.lenient().readTree(me.body()).get("role").asString()) ? 200 : 403;
    }

    private void deadLetters(HttpExchange ex, Map<String, String> p) throws IOException {
        int page = Integer.parseInt(p.get("page"));
        int size = Integer.parseInt(p.get("size"));
        if (page < 0 || size < 1 || size > 500) {
            send(ex, 400, Map.of("error", "page must be >= 0 and size 1 to 500"));
            return;
        }
        long from = p.containsKey("from") ? Long.parseLong(p.get("from")) : 0;
        long to = p.containsKey("to") ? Long.parseLong(p.get("to")) : Long.MAX_VALUE;
        List<Map<String, Object>> matching = new ArrayList<>();
        for (Map<String, Object> d : deadLetters) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) d.get("message");
            long at = (Long) d.get("deadAtMillis");
            if (((String) d.get("queue")).startsWith(p.get("app") + "/") && at >= from && at < to
                    && (!p.containsKey("topic") || p.get("topic").equals(m.get("topic")))) {
                matching.add(d);
            }
        }
        matching.sort(Comparator.comparingLong((Map<String, Object> d) -> (Long) d.get("deadAtMillis")).reversed());
        long start = Math.min(matching.size(), (long) page * size);
        long end = Math.min(matching.size(), start + size);
        send(ex, 200, Map.of("items", matching.subList((int) start, (int) end), "total", matching.size()));
    }

    private int remove(String body) {
        JsonNode req = Json.lenient().readTree(body);
        String app = req.get("app").asString();
        Set<Long> ids = new HashSet<>();
        req.get("ids").forEach(n -> ids.add(n.asLong()));
        int removed = 0;
        for (Map<String, Object> d : deadLetters) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) d.get("message");
            if (((String) d.get("queue")).startsWith(app + "/") && ids.contains((Long) m.get("id"))
                    && deadLetters.remove(d)) {
                removed++;
            }
        }
        return removed;
    }

    private static Map<String, String> params(String query) {
        Map<String, String> p = new LinkedHashMap<>();
        if (query != null) {
            for (String kv : query.split("&")) {
                int eq = kv.indexOf('=');
                p.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return p;
    }

    private static void send(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = Json.write(body);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Stops answering on the broker port while staying registered, like an agent behind a firewall. */
    synchronized void stopBrokerPort() {
        if (!stopped) {
            stopped = true;
            released.countDown();
            broker.stop(0);
        }
    }

    /** Unregisters and stops, as an agent that shuts down. */
    @Override
    public void close() {
        registration.close();
        curator.close();
        stopBrokerPort();
    }
}

package io.topaz.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.topaz.model.fleet.AgentInfo;
import io.topaz.model.json.Json;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;
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
import java.util.concurrent.atomic.AtomicLong;

/**
 * An agent whose broker the broker issue has not finished: it registers in ZooKeeper as a real agent does, with a
 * {@code broker} port serving the broker port's internal API for the control plane ({@code GET /internal/v1/queues},
 * {@code GET /internal/v1/dead-letters}, {@code POST /internal/v1/dead-letters/replay|purge}), checking each bearer
 * token with the control plane ({@code GET /api/v1/me}, AGENT only) as real agents do. Its queue counters grow at each
 * request (a few redeliveries and one dead letter per call), so successive answers give rates; replayed dead letters
 * are counted, purged ones deleted. Closing it unregisters it.
 */
public final class SimulatedBroker implements AutoCloseable {

    private final String controlUrl;
    private final CuratorFramework curator;
    private final HttpServer broker;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<String> queues = new CopyOnWriteArrayList<>();
    private final List<Map<String, Object>> deadLetters = new CopyOnWriteArrayList<>();
    private final List<Long> replayed = new CopyOnWriteArrayList<>();
    private final List<Map<String, Object>> connections = new CopyOnWriteArrayList<>();
    private final List<String> disconnected = new CopyOnWriteArrayList<>();
    private final AtomicLong polls = new AtomicLong();
    private boolean stopped;

    public SimulatedBroker(String zkConnect, String id, String controlUrl) throws Exception {
        this.controlUrl = controlUrl;
        broker = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        broker.createContext("/internal/v1/", this::handle);
        broker.start();
        curator = CuratorFrameworkFactory.newClient(zkConnect, new ExponentialBackoffRetry(100, 3));
        curator.start();
        long now = System.currentTimeMillis();
        AgentInfo info = new AgentInfo(id, "zone-a", "blue", "127.0.0.1", Map.of("broker", broker.getAddress().getPort()),
                "simulated", now, 1, now);
        curator.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                .forPath(ZkLayout.defaults().agent(id), Json.write(info));
    }

    /** Adds an (app/group) queue to the answer of {@code GET /internal/v1/queues}. */
    public SimulatedBroker queue(String queue) {
        queues.add(queue);
        return this;
    }

    /** Adds {@code count} dead letters of {@code queue}, ids from {@code firstId}, one a minute back from now. */
    public SimulatedBroker deadLetters(String queue, long firstId, int count) {
        long now = System.currentTimeMillis();
        for (int i = 0; i < count; i++) {
            long id = firstId + i;
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("id", id);
            message.put("topic", "taobao_trade_TradeChanged");
            message.put("publisher", "demo-producer");
            message.put("pubTimeMillis", now - 3_600_000);
            message.put("userId", 3_000_000_000L + i % 7);
            message.put("userNick", "demo-seller-" + i % 7);
            message.put("content", "{\"tid\":" + (70_000_000L + id) + ",\"seller_nick\":\"demo-seller-" + i % 7
                    + "\",\"status\":\"WAIT_SELLER_SEND_GOODS\",\"payment\":\"128.00\"}");
            message.put("dataId", 70_000_000L + id);
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("message", message);
            d.put("queue", queue);
            d.put("deadAtMillis", now - i * 60_000L);
            d.put("attempts", 16);
            d.put("reason", i % 5 == 4 ? "RETENTION" : "MAX_ATTEMPTS");
            deadLetters.add(d);
        }
        return this;
    }

    /** Adds a push connection to the answer of {@code GET /internal/v1/connections}, connected a minute ago. */
    public SimulatedBroker connection(String id, String app, String group, long inFlight, long pushed, long confirmed) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("id", id);
        c.put("app", app);
        c.put("group", group);
        c.put("remote", "/192.0.2.10:4" + id);
        c.put("sinceMillis", System.currentTimeMillis() - 60_000);
        c.put("inFlight", inFlight);
        c.put("pushed", pushed);
        c.put("confirmed", confirmed);
        connections.add(c);
        return this;
    }

    /** The ids of the connections the control plane asked this agent to close. */
    public List<String> disconnected() {
        return List.copyOf(disconnected);
    }

    public List<Long> replayed() {
        return List.copyOf(replayed);
    }

    public int deadLetterCount() {
        return deadLetters.size();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (!isAgentToken(ex.getRequestHeaders().getFirst("Authorization"))) {
                send(ex, 403, Map.of("error", "an AGENT token is required"));
                return;
            }
            String path = ex.getRequestURI().getPath();
            switch (ex.getRequestMethod() + " " + path) {
                case "GET /internal/v1/queues" -> send(ex, 200, Map.of("agentId", "x", "queues", queueStats()));
                case "GET /internal/v1/dead-letters" -> page(ex, params(ex.getRequestURI().getRawQuery()));
                case "POST /internal/v1/dead-letters/replay" -> send(ex, 200, Map.of("replayed", remove(body, true)));
                case "POST /internal/v1/dead-letters/purge" -> send(ex, 200, Map.of("purged", remove(body, false)));
                case "GET /internal/v1/connections" -> send(ex, 200, Map.of("agentId", "x", "connections", connections));
                case "POST /internal/v1/connections/disconnect" -> {
                    String id = Json.lenient().readTree(body).get("id").asString();
                    boolean found = connections.removeIf(c -> c.get("id").equals(id));
                    if (found) {
                        disconnected.add(id);
                    }
                    send(ex, 200, Map.of("disconnected", found));
                }
                default -> send(ex, 404, Map.of("error", "no such endpoint"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean isAgentToken(String header) throws IOException, InterruptedException {
        if (header == null) {
            return false;
        }
        HttpResponse<String> me = http.send(HttpRequest.newBuilder(URI.create(controlUrl + "/api/v1/me"))
                .header("Authorization", header).GET().build(), HttpResponse.BodyHandlers.ofString());
        return me.statusCode() == 200 && "AGENT".equals(Json.lenient().readTree(me.body()).get("role").asString());
    }

    private List<Map<String, Object>> queueStats() {
        long n = polls.incrementAndGet();
        List<Map<String, Object>> stats = new ArrayList<>();
        for (String q : queues) {
            String app = q.substring(0, q.indexOf('/'));
            long letters = deadLetters.stream().filter(d -> ((String) d.get("queue")).startsWith(app + "/")).count();
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("queue", q);
            s.put("backlog", 1200 + 3 * n);
            s.put("inFlight", 40);
            s.put("oldestUnconfirmedAgeMillis", 95_000 + n * 400);
            s.put("delivered", 50_000 + 400 * n);
            s.put("confirmed", 49_000 + 390 * n);
            s.put("redelivered", 300 + 5 * n);
            s.put("deadLettered", 60 + n);
            s.put("deadLetters", letters);
            stats.add(s);
        }
        return stats;
    }

    private void page(HttpExchange ex, Map<String, String> p) throws IOException {
        int page = Integer.parseInt(p.get("page"));
        int size = Integer.parseInt(p.get("size"));
        List<Map<String, Object>> matching = new ArrayList<>(deadLetters.stream()
                .filter(d -> ((String) d.get("queue")).startsWith(p.get("app") + "/")).toList());
        matching.sort(Comparator.comparingLong((Map<String, Object> d) -> (Long) d.get("deadAtMillis")).reversed());
        int from = Math.min(matching.size(), page * size);
        int to = Math.min(matching.size(), from + size);
        send(ex, 200, Map.of("items", matching.subList(from, to), "total", matching.size()));
    }

    private int remove(String body, boolean replay) {
        JsonNode req = Json.lenient().readTree(body);
        String app = req.get("app").asString();
        Set<Long> ids = new HashSet<>();
        req.get("ids").forEach(n -> ids.add(n.asLong()));
        int removed = 0;
        for (Map<String, Object> d : deadLetters) {
            @SuppressWarnings("unchecked")
            long id = (Long) ((Map<String, Object>) d.get("message")).get("id");
            if (((String) d.get("queue")).startsWith(app + "/") && ids.contains(id) && deadLetters.remove(d)) {
                removed++;
                if (replay) {
                    replayed.add(id);
                }
            }
        }
        return removed;
    }

    private static Map<String, String> params(String query) {
        Map<String, String> p = new LinkedHashMap<>();
        for (String kv : query.split("&")) {
            int eq = kv.indexOf('=');
            p.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
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
    public synchronized void stopBrokerPort() {
        if (!stopped) {
            stopped = true;
            broker.stop(0);
        }
    }

    @Override
    public void close() {
        curator.close();
        stopBrokerPort();
    }
}

package io.topaz.control.traffic;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.topaz.agent.fleet.Registration;
import io.topaz.model.fleet.AgentInfo;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An agent reduced to what the control plane reads from its admin port: registered in ZooKeeper through the agent's
 * own {@link Registration} (an ephemeral node with its {@link AgentInfo}), and an admin port whose {@code /metrics}
 * serves Prometheus text with the traffic counters the test sets, as Micrometer writes them, and whose {@code /sync}
 * and {@code POST /sync/reconcile} serve the order sync's state the test sets (404 until it sets one, as an agent
 * without the sync engine).
 */
public final class FakeAgent implements AutoCloseable {

    /** A request the admin port received. */
    public record Seen(String method, String path, String body, String authorization) {
    }

    private final CuratorFramework curator;
    private final Registration registration;
    private final HttpServer admin;
    private final Map<String, Double> series = new TreeMap<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private volatile String sync;
    private volatile int reconcileStatus = 200;
    private boolean adminClosed;

    public FakeAgent(String zkConnect, ZkLayout layout, String id, long startedAtMillis) throws IOException {
        admin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        admin.createContext("/sync", this::sync);
        admin.createContext("/metrics", exchange -> {
            byte[] body = text().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        admin.start();
        curator = CuratorFrameworkFactory.newClient(zkConnect, new ExponentialBackoffRetry(100, 3));
        curator.start();
        registration = new Registration(curator, layout, new AgentInfo(id, "zone-a", "c1", "127.0.0.1",
                Map.of("admin", admin.getAddress().getPort(), "gateway", 1), "fake", startedAtMillis, 1, startedAtMillis));
        registration.start();
    }

    /** Serves this JSON as {@code GET /sync} from now on ({@code null}: 404, no sync engine). */
    public FakeAgent syncStatus(String json) {
        this.sync = json;
        return this;
    }

    /** The status {@code POST /sync/reconcile} answers (200 by default, with {@code {"started":true}}). */
    public FakeAgent reconcileStatus(int status) {
        this.reconcileStatus = status;
        return this;
    }

    /** The requests {@code /sync…} received. */
    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    private void sync(HttpExchange ex) throws IOException {
        try (ex) {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String path = ex.getRequestURI().getPath();
            seen.add(new Seen(ex.getRequestMethod(), path, body, ex.getRequestHeaders().getFirst("Authorization")));
            String status = sync;
            if (status == null) {
                send(ex, 404, "{\"error\":\"no sync engine\"}");
            } else if (ex.getRequestMethod().equals("GET") && path.equals("/sync")) {
                send(ex, 200, status);
            } else if (ex.getRequestMethod().equals("POST") && path.equals("/sync/reconcile")) {
                send(ex, reconcileStatus, reconcileStatus == 200 ? "{\"started\":true}"
                        : "{\"error\":\"range refused by the fake\"}");
            } else {
                send(ex, 404, "{\"error\":\"no such endpoint\"}");
            }
        }
    }

    private static void send(HttpExchange ex, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Sets {@code topaz_traffic_decisions_total{kind,rule,outcome}}. */
    synchronized FakeAgent decisions(String kind, String rule, double passed, double blocked) {
        series.put("topaz_traffic_decisions_total{application=\"topaz-agent\",kind=\"%s\",outcome=\"passed\",rule=\"%s\"}"
                .formatted(kind, rule), passed);
        series.put("topaz_traffic_decisions_total{application=\"topaz-agent\",kind=\"%s\",outcome=\"blocked\",rule=\"%s\"}"
                .formatted(kind, rule), blocked);
        return this;
    }

    /** Sets {@code topaz_traffic_fallback_total} and {@code topaz_traffic_fallback_active}. */
    synchronized FakeAgent fallback(String kind, String rule, double total, boolean active) {
        series.put("topaz_traffic_fallback_total{application=\"topaz-agent\",kind=\"%s\",rule=\"%s\"}".formatted(kind, rule),
                total);
        series.put("topaz_traffic_fallback_active{application=\"topaz-agent\",kind=\"%s\",rule=\"%s\"}".formatted(kind, rule),
                active ? 1.0 : 0.0);
        return this;
    }

    /**
     * Sets the gateway counters ({@code topaz_gateway_requests_total} and {@code topaz_gateway_errors_total}, split over
     * two APIs and two error codes as a real agent's are) and {@code topaz_zookeeper_connected}.
     */
    synchronized FakeAgent gateway(double requests, double errors, boolean zookeeperConnected) {
        series.put("topaz_gateway_requests_total{agent=\"a\",method=\"taobao.time.get\"}", requests - 1);
        series.put("topaz_gateway_requests_total{agent=\"a\",method=\"unknown\"}", 1.0);
        series.put("topaz_gateway_errors_total{agent=\"a\",code=\"15\",method=\"taobao.time.get\"}", errors - 1);
        series.put("topaz_gateway_errors_total{agent=\"a\",code=\"22\",method=\"unknown\"}", 1.0);
        series.put("topaz_zookeeper_connected{agent=\"a\"}", zookeeperConnected ? 1.0 : 0.0);
        return this;
    }

    private synchronized String text() {
        StringBuilder b = new StringBuilder("""
                # HELP topaz_traffic_decisions_total Traffic-control decisions
                # TYPE topaz_traffic_decisions_total counter
                jvm_threads_live_threads{application="topaz-agent"} 42.0
                """);
        series.forEach((name, value) -> b.append(name).append(' ').append(value).append('\n'));
        return b.toString();
    }

    /** Stops answering on the admin port while staying registered, like an agent behind a firewall. */
    public synchronized void closeAdminPort() {
        if (!adminClosed) {
            adminClosed = true;
            admin.stop(0);
        }
    }

    /** Unregisters and stops, as an agent that shuts down. */
    @Override
    public void close() {
        registration.close();
        curator.close();
        closeAdminPort();
    }
}

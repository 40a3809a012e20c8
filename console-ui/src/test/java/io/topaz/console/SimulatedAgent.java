package io.topaz.console;

import com.sun.net.httpserver.HttpServer;
import io.topaz.model.fleet.AgentInfo;
import io.topaz.model.json.Json;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An agent the gateway issue has not built yet: it registers in ZooKeeper exactly as a real agent does (an ephemeral
 * node with its {@link AgentInfo}), stays on the release it was given, and its admin port serves the gateway counters
 * {@code topaz_gateway_requests_total} and {@code topaz_gateway_errors_total} that tests advance, and the traffic-control
 * counters {@code topaz_traffic_decisions_total}, {@code topaz_traffic_fallback_total} and
 * {@code topaz_traffic_fallback_active} per rule, set by hand or growing at a steady rate. When given an order-sync
 * state ({@link #syncStatus}), its admin port also serves {@code GET /sync} and records {@code POST /sync/reconcile}
 * (404 without one, as an agent without the sync engine). Closing it unregisters it.
 */
public final class SimulatedAgent implements AutoCloseable {

    private final CuratorFramework curator;
    private final HttpServer admin;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private volatile boolean zookeeperConnected = true;
    private boolean adminClosed;
    private volatile boolean trafficPerScrape;
    private final AtomicLong scrapes = new AtomicLong();
    private final Map<String, RuleTraffic> rules = new ConcurrentSkipListMap<>();
    private volatile String sync;
    private final java.util.List<String> reconciles = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * One rule's counters: a base the test sets, plus, when given rates, what real time since then has added. The
     * steady part wobbles by a quarter of the rate over a few seconds, so a chart of it is not a flat line; it never
     * goes down, as a counter must not.
     */
    private record RuleTraffic(String kind, String rule, double passed, double blocked, double passedPerSecond,
                               double blockedPerSecond, long sinceNanos, boolean fallbackActive) {

        private static final double WOBBLE_PERIOD_SECONDS = 4;

        double passedNow() {
            return passed + grown(passedPerSecond);
        }

        double blockedNow() {
            return blocked + grown(blockedPerSecond);
        }

        private double grown(double perSecond) {
            double t = (System.nanoTime() - sinceNanos) / 1e9;
            double wobble = 0.25 * perSecond * WOBBLE_PERIOD_SECONDS * Math.sin(t / WOBBLE_PERIOD_SECONDS);
            return Math.floor(perSecond * t + wobble);
        }
    }

    public SimulatedAgent(String zkConnect, String id, String zone, String cluster, long appliedRelease) throws Exception {
        admin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        admin.createContext("/metrics", exchange -> {
            if (trafficPerScrape) {
                long n = scrapes.incrementAndGet();
                serve(400 + (n * 137) % 300, (n * 7) % 40);
            }
            String body = """
                    # HELP topaz_gateway_requests_total calls served
                    # TYPE topaz_gateway_requests_total counter
                    topaz_gateway_requests_total{agent="%1$s",api="taobao.time.get",status="ok"} %2$d.0
                    topaz_gateway_requests_total{agent="%1$s",api="taobao.trade.get",status="ok"} 0.0
                    # TYPE topaz_gateway_errors_total counter
                    topaz_gateway_errors_total{agent="%1$s",api="taobao.time.get"} %3$d.0
                    topaz_zookeeper_connected{agent="%1$s"} %4$s
                    """.formatted(id, requests.get(), errors.get(), zookeeperConnected ? "1.0" : "0.0")
                    + trafficText();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        admin.createContext("/sync", exchange -> {
            try (exchange) {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                String state = sync;
                boolean reconcile = exchange.getRequestMethod().equals("POST")
                        && exchange.getRequestURI().getPath().equals("/sync/reconcile");
                if (reconcile && state != null) {
                    reconciles.add(body);
                }
                byte[] bytes = (state == null ? "{\"error\":\"no sync engine\"}"
                        : reconcile ? "{\"started\":true}" : state).getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(state == null ? 404 : 200, bytes.length);
                exchange.getResponseBody().write(bytes);
            }
        });
        admin.start();
        curator = CuratorFrameworkFactory.newClient(zkConnect, new ExponentialBackoffRetry(100, 3));
        curator.start();
        AgentInfo info = new AgentInfo(id, zone, cluster, "127.0.0.1", Map.of("admin", admin.getAddress().getPort()),
                "simulated", System.currentTimeMillis(), appliedRelease, appliedRelease == 0 ? 0 : System.currentTimeMillis());
        curator.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                .forPath(ZkLayout.defaults().agent(id), Json.write(info));
    }

    /** From now on {@code GET /sync} answers this JSON (the sync engine's {@code {"groups":[…]}}). */
    public SimulatedAgent syncStatus(String json) {
        sync = json;
        return this;
    }

    /** The bodies of the {@code POST /sync/reconcile} requests received. */
    public java.util.List<String> reconciles() {
        return java.util.List.copyOf(reconciles);
    }

    /** Adds calls and errors to the counters the next scrape reads. */
    public void serve(long calls, long failed) {
        requests.addAndGet(calls);
        errors.addAndGet(failed);
    }

    /** From now on each scrape finds a few hundred more calls and some more errors, as a busy gateway would. */
    public void busy() {
        trafficPerScrape = true;
    }

    /** Sets a rule's decision counters ({@code kind} flow, quota or overload) to these totals; they stay there. */
    public void decisions(String kind, String rule, long passed, long blocked) {
        rules.compute(kind + "/" + rule, (k, was) -> new RuleTraffic(kind, rule, passed, blocked, 0, 0,
                System.nanoTime(), was != null && was.fallbackActive()));
    }

    /** From now on the rule passes and blocks about this many requests per second, from the totals it has now. */
    public void steadyTraffic(String kind, String rule, double passedPerSecond, double blockedPerSecond) {
        rules.compute(kind + "/" + rule, (k, was) -> new RuleTraffic(kind, rule,
                was == null ? 0 : was.passedNow(), was == null ? 0 : was.blockedNow(), passedPerSecond,
                blockedPerSecond, System.nanoTime(), was != null && was.fallbackActive()));
    }

    /** Whether the agent decides on its local share of the rule because Redis is unreachable. */
    public void fallbackActive(String kind, String rule, boolean active) {
        rules.compute(kind + "/" + rule, (k, was) -> was == null
                ? new RuleTraffic(kind, rule, 0, 0, 0, 0, System.nanoTime(), active)
                : new RuleTraffic(kind, rule, was.passed(), was.blocked(), was.passedPerSecond(),
                        was.blockedPerSecond(), was.sinceNanos(), active));
    }

    private String trafficText() {
        if (rules.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("""
                # HELP topaz_traffic_decisions_total Traffic-control decisions
                # TYPE topaz_traffic_decisions_total counter
                """);
        for (RuleTraffic r : rules.values()) {
            b.append(String.format(Locale.ROOT, """
                    topaz_traffic_decisions_total{application="topaz-agent",kind="%1$s",outcome="blocked",rule="%2$s"} %4$.1f
                    topaz_traffic_decisions_total{application="topaz-agent",kind="%1$s",outcome="passed",rule="%2$s"} %3$.1f
                    """, r.kind(), r.rule(), r.passedNow(), r.blockedNow()));
        }
        for (RuleTraffic r : rules.values()) {
            if (!r.kind().equals("overload")) {
                b.append(String.format(Locale.ROOT, """
                        topaz_traffic_fallback_active{application="topaz-agent",kind="%1$s",rule="%2$s"} %3$s
                        """, r.kind(), r.rule(), r.fallbackActive() ? "1.0" : "0.0"));
            }
        }
        return b.toString();
    }

    /** Stops answering on the admin port while staying registered, like an agent behind a firewall. */
    public synchronized void closeAdminPort() {
        if (!adminClosed) {
            adminClosed = true;
            admin.stop(0);
        }
    }

    public void zookeeperConnected(boolean connected) {
        zookeeperConnected = connected;
    }

    @Override
    public void close() {
        curator.close();
        closeAdminPort();
    }
}

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
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An agent the gateway issue has not built yet: it registers in ZooKeeper exactly as a real agent does (an ephemeral
 * node with its {@link AgentInfo}), stays on the release it was given, and its admin port serves the gateway counters
 * {@code topaz_gateway_requests_total} and {@code topaz_gateway_errors_total} that tests advance. Closing it
 * unregisters it.
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
                    """.formatted(id, requests.get(), errors.get(), zookeeperConnected ? "1.0" : "0.0");
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
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

    /** Adds calls and errors to the counters the next scrape reads. */
    public void serve(long calls, long failed) {
        requests.addAndGet(calls);
        errors.addAndGet(failed);
    }

    /** From now on each scrape finds a few hundred more calls and some more errors, as a busy gateway would. */
    public void busy() {
        trafficPerScrape = true;
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

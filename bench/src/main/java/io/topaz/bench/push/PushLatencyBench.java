package io.topaz.bench.push;

import io.topaz.agent.AgentSettings;
import io.topaz.agent.TopazAgent;
import io.topaz.control.ControlPlaneApplication;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Config push latency: an operator publishes in the control plane → every one of N agents has applied the release.
 *
 * <p>One JVM runs the control plane (Spring Boot, its embedded ZooKeeper server, in-memory H2) and N agents, each with
 * its own Curator client, watch and local snapshot file. Each round changes one API in the draft over REST (not
 * timed), then times from sending {@code POST /api/v1/releases} until the last agent's release listener has run, i.e.
 * the new snapshot is swapped in and serving. The publish request's own latency (validate, encode, write blobs and the
 * live pointer, audit) is reported separately.
 *
 * <p>For a floor in the same run on the same ZooKeeper server, it then times the bare mechanism: one {@code setData} on
 * a node watched by N {@code CuratorCache}s on N clients, until all N have seen it.
 *
 * <p>Run it with {@code scripts/bench-push.sh [agents] [publishes] [warmup]}.
 */
public final class PushLatencyBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "tpz_bench-admin-token-0123456789abcdef";

    public static void main(String[] args) throws Exception {
        int agentCount = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int publishes = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        int apis = args.length > 3 ? Integer.parseInt(args[3]) : 200;

        Path dir = Files.createTempDirectory("topaz-bench-push");
        int zkPort = freePort();
        int httpPort = freePort();
        ConfigurableApplicationContext control = new SpringApplicationBuilder(ControlPlaneApplication.class)
                .run("--server.port=" + httpPort,
                        "--logging.config=classpath:bench-logback.xml",
                        "--topaz.data-dir=" + dir.resolve("control-plane"),
                        "--topaz.zookeeper.embedded-port=" + zkPort,
                        "--topaz.security.bootstrap-admin-token=" + TOKEN,
                        "--spring.datasource.url=jdbc:h2:mem:bench;DB_CLOSE_DELAY=-1");
        String zk = "127.0.0.1:" + zkPort;
        Rest rest = new Rest("http://127.0.0.1:" + httpPort);
        List<TopazAgent> agents = new ArrayList<>();
        try {
            Stats topaz;
            Stats publishCall;
            Stats bare;

            ConcurrentHashMap<Long, CountDownLatch> pending = new ConcurrentHashMap<>();
            ConcurrentHashMap<Long, Long> lastApplyNanos = new ConcurrentHashMap<>();
            for (int i = 1; i <= agentCount; i++) {
                AgentSettings s = AgentSettings.of("bench-" + i, zk, dir.resolve("agent-" + i))
                        .withPlacement("zone-" + (i % 2), "bench");
                TopazAgent agent = TopazAgent.start(s, Clock.systemUTC());
                agent.addReleaseListener(snapshot -> {
                    long now = System.nanoTime();
                    lastApplyNanos.merge(snapshot.release(), now, Math::max);
                    CountDownLatch latch = pending.get(snapshot.release());
                    if (latch != null) {
                        latch.countDown();
                    }
                });
                agents.add(agent);
            }

            // A config of realistic size: `apis` APIs, so each release is spread over several blobs and one change
            // rewrites one blob.
            rest.send("POST", "/api/v1/agent-clusters", "{\"name\":\"bench\",\"zone\":\"zone-0\"}", null, 201);
            for (int a = 0; a < apis; a++) {
                rest.send("POST", "/api/v1/apis", api("bench.api." + a, 3000), null, 201);
            }
            long version = 1;
            topaz = new Stats(publishes);
            publishCall = new Stats(publishes);
            System.out.printf(Locale.ROOT, "push: %d agents, %d APIs, %d warm-up + %d measured publishes%n",
                    agentCount, apis, warmup, publishes);
            for (int round = 0; round < warmup + publishes; round++) {
                JsonNode updated = rest.send("PUT", "/api/v1/apis/bench.api.0", api("bench.api.0", 1000 + round),
                        version, 200);
                version = updated.get("version").asLong();
                // The next number is known in advance because this harness is the only publisher.
                long expected = round + 1;
                CountDownLatch latch = new CountDownLatch(agentCount);
                pending.put(expected, latch);
                // A publish names the draft revision it reviewed; reading it is not part of the timed push.
                long revision = rest.send("GET", "/api/v1/draft/diff", null, null, 200).get("draftRevision").asLong();
                long start = System.nanoTime();
                JsonNode published = rest.send("POST", "/api/v1/releases",
                        "{\"message\":\"bench round " + round + "\",\"draftRevision\":" + revision + "}", null, 201);
                long publishedAt = System.nanoTime();
                if (published.get("number").asLong() != expected) {
                    throw new IllegalStateException("expected release " + expected + ", got " + published);
                }
                if (!latch.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("release " + expected + " not applied by every agent in 30 s; "
                            + latch.getCount() + " missing");
                }
                pending.remove(expected);
                if (round >= warmup) {
                    topaz.add(lastApplyNanos.get(expected) - start);
                    publishCall.add(publishedAt - start);
                }
            }
            for (TopazAgent a : agents) {
                if (a.snapshot().apis().get("bench.api.0").timeoutMillis() != 1000 + warmup + publishes - 1) {
                    throw new IllegalStateException(a.id() + " serves the wrong content");
                }
            }

            bare = bareCuratorCache(zk, agentCount, warmup, publishes);

            System.out.println();
            System.out.println("                                   p50 ms    p99 ms    max ms");
            System.out.println(topaz.line("publish -> all agents applied"));
            System.out.println(publishCall.line("  publish request (POST -> 201)"));
            System.out.println(bare.line("bare setData -> all CuratorCaches"));
            System.out.printf(Locale.ROOT, "ratio topaz / bare (p50, p99)        %.1fx     %.1fx%n",
                    topaz.percentile(50) / bare.percentile(50), topaz.percentile(99) / bare.percentile(99));
            System.out.printf(Locale.ROOT, "target p99 <= 200 ms: %s%n", topaz.percentile(99) <= 200 ? "met" : "MISSED");
        } finally {
            agents.forEach(TopazAgent::close);
            control.close();
        }
    }

    /** The floor: one znode write seen by N CuratorCaches on N clients, on the same ZooKeeper server. */
    private static Stats bareCuratorCache(String zk, int clients, int warmup, int rounds) throws Exception {
        String path = "/bench-bare/node";
        List<CuratorFramework> all = new ArrayList<>();
        List<CuratorCache> caches = new ArrayList<>();
        ConcurrentHashMap<Integer, CountDownLatch> pending = new ConcurrentHashMap<>();
        ConcurrentHashMap<Integer, Long> lastSeen = new ConcurrentHashMap<>();
        try {
            CuratorFramework writer = client(zk, all);
            writer.create().creatingParentsIfNeeded().forPath(path, bytes(-1));
            for (int i = 0; i < clients; i++) {
                CuratorFramework c = client(zk, all);
                CuratorCache cache = CuratorCache.build(c, path, CuratorCache.Options.SINGLE_NODE_CACHE);
                cache.listenable().addListener((type, oldData, data) -> {
                    if (data == null) {
                        return;
                    }
                    int round = Integer.parseInt(new String(data.getData(), StandardCharsets.UTF_8));
                    lastSeen.merge(round, System.nanoTime(), Math::max);
                    CountDownLatch latch = pending.get(round);
                    if (latch != null) {
                        latch.countDown();
                    }
                });
                cache.start();
                caches.add(cache);
            }
            Stats stats = new Stats(rounds);
            for (int round = 0; round < warmup + rounds; round++) {
                CountDownLatch latch = new CountDownLatch(clients);
                pending.put(round, latch);
                long start = System.nanoTime();
                writer.setData().forPath(path, bytes(round));
                if (!latch.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("bare round " + round + " not seen by every client");
                }
                pending.remove(round);
                if (round >= warmup) {
                    stats.add(lastSeen.get(round) - start);
                }
            }
            return stats;
        } finally {
            caches.forEach(CuratorCache::close);
            all.forEach(CuratorFramework::close);
        }
    }

    private static CuratorFramework client(String zk, List<CuratorFramework> all) throws InterruptedException {
        CuratorFramework c = CuratorFrameworkFactory.newClient(zk, new ExponentialBackoffRetry(100, 3));
        all.add(c);
        c.start();
        if (!c.blockUntilConnected(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("cannot connect to " + zk);
        }
        return c;
    }

    private static byte[] bytes(int round) {
        return Integer.toString(round).getBytes(StandardCharsets.UTF_8);
    }

    private static String api(String method, int timeoutMillis) {
        return """
                {"method":"%s","apiGroup":"bench","upstreams":[{"url":"http://127.0.0.1:9090","weight":100}],
                 "timeoutMillis":%d,"sessionRequired":false,"requiredParameters":["num_iid"]}"""
                .formatted(method, timeoutMillis);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Latency samples in nanoseconds; percentiles by nearest rank. */
    static final class Stats {
        private final long[] samples;
        private int n;

        Stats(int capacity) {
            samples = new long[capacity];
        }

        void add(long nanos) {
            samples[n++] = nanos;
        }

        double percentile(double p) {
            long[] sorted = Arrays.copyOf(samples, n);
            Arrays.sort(sorted);
            int rank = (int) Math.ceil(p / 100.0 * n);
            return sorted[Math.max(0, Math.min(n - 1, rank - 1))] / 1e6;
        }

        String line(String label) {
            return String.format(Locale.ROOT, "%-34s %7.1f   %7.1f   %7.1f", label, percentile(50), percentile(99),
                    percentile(100));
        }
    }

    private record Rest(String base, HttpClient http) {
        Rest(String base) {
            this(base, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
        }

        JsonNode send(String method, String path, String body, Long version, int expectStatus) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + TOKEN)
                    .header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body));
            if (version != null) {
                b.header("If-Match", "\"" + version + "\"");
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != expectStatus) {
                throw new IllegalStateException(method + " " + path + " → " + r.statusCode() + ": " + r.body());
            }
            return r.body().isEmpty() ? null : JSON.readTree(r.body());
        }
    }
}

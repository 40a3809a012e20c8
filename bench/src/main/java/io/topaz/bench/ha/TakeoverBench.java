package io.topaz.bench.ha;

import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Control-plane leader takeover (issue 19 point 5): two control planes as separate processes on one ZooKeeper server
 * (curator-test, in this JVM, tick 500 ms so that short session timeouts are allowed) and a fresh PostgreSQL database
 * at 127.0.0.1:5432, started from {@code control-plane/target/control-plane-*-exec.jar}.
 *
 * <p>Each round finds the leader ({@code GET /api/v1/control-planes}), then (a) stops it with SIGTERM and (b), after
 * the stopped instance is back, kills the new leader with SIGKILL. Timed from the signal until the survivor's health
 * says it leads ({@code components.leadership.details.leader}, set once its singletons are started) <em>and</em> it
 * answers an operator request ({@code GET /api/v1/apis}, 200). Meanwhile a loop of operator requests runs against the
 * survivor and counts every answer that is not 2xx (and every failed connection): a takeover must not disturb it.
 * The stopped instance is started again (same id, port, data directory) before the next measurement.
 *
 * <p>A graceful stop releases the latch at once; a crash leaves the leader's ZooKeeper session (and its latch node)
 * until the session expires, so the crash figure is bounded below by the session timeout
 * ({@code --session-timeout-ms}, default 5000; the control plane's default is 30 s).
 *
 * <p>Usage: {@code scripts/bench-takeover.sh [--rounds=5] [--session-timeout-ms=5000]}.
 */
public final class TakeoverBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VERSION = "0.1.0-SNAPSHOT";
    private static final String PG_ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";
    private static final String PG_USER = "postgres";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String token;

    private TakeoverBench(String token) {
        this.token = token;
    }

    /** One measured takeover. */
    record Takeover(String kind, String from, String to, long takeoverMs, long exitMs, long requests, long failed,
                    long slowestMs) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = flags(args);
        int rounds = Integer.parseInt(flags.getOrDefault("rounds", "5"));
        int sessionTimeoutMs = Integer.parseInt(flags.getOrDefault("session-timeout-ms", "5000"));
        Path repo = Path.of(flags.getOrDefault("repo", ".")).toAbsolutePath().normalize();
        Path jar = repo.resolve("control-plane/target/control-plane-" + VERSION + "-exec.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("missing " + jar + ": build first (mvn -DskipTests package)");
        }
        Path dir = Files.createTempDirectory("topaz-bench-takeover");
        Files.createDirectories(dir.resolve("logs"));
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String token = "tpz_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);

        String db = "topaz_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        sql("create database " + db);
        // tick 500 ms: ZooKeeper grants session timeouts between 2 and 20 ticks (1 s .. 10 s)
        InstanceSpec spec = new InstanceSpec(dir.resolve("zookeeper").toFile(), freePort(), -1, -1, true, -1, 500, -1);
        TestingServer zookeeper = new TestingServer(spec, true);
        List<ControlPlaneProcess> planes = new ArrayList<>();
        try {
            List<String> props = List.of(
                    "--topaz.zookeeper.connect-string=" + zookeeper.getConnectString(),
                    "--topaz.zookeeper.root=/topaz-bench",
                    "--topaz.zookeeper.session-timeout=" + sessionTimeoutMs + "ms",
                    "--topaz.metadata.encryption-key=" + Base64.getEncoder().encodeToString(key),
                    "--spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/" + db,
                    "--spring.datasource.username=" + PG_USER,
                    "--spring.datasource.password=");
            for (String id : List.of("cp-a", "cp-b")) {
                planes.add(new ControlPlaneProcess(id, freePort(), jar, dir.resolve(id),
                        dir.resolve("logs/" + id + ".log"), token, props));
            }
            TakeoverBench bench = new TakeoverBench(token);
            System.out.printf(Locale.ROOT, "takeover bench: %d rounds, session timeout %d ms, logs in %s%n",
                    rounds, sessionTimeoutMs, dir.resolve("logs"));
            // one after the other: the first creates the schema and the bootstrap token
            for (ControlPlaneProcess p : planes) {
                long t = System.nanoTime();
                p.start();
                bench.awaitUp(p);
                System.out.printf(Locale.ROOT, "%s up on %s in %d ms%n", p.id(), p.url(), ms(t));
            }
            bench.awaitInstances(planes.get(0), 2);
            // one draft entry: on an empty draft (no draft revision node yet) a config read waits out DraftView's 5 s
            // catch-up before reading ZooKeeper directly, which would time the draft view, not the takeover
            bench.post(planes.get(0), "/api/v1/agent-clusters", "{\"name\":\"bench\",\"zone\":\"local\"}");
            List<Takeover> results = new ArrayList<>();
            for (int r = 1; r <= rounds; r++) {
                for (String kind : List.of("SIGTERM", "SIGKILL")) {
                    Takeover t = bench.round(kind, planes);
                    results.add(t);
                    System.out.printf(Locale.ROOT,
                            "round %d %s: %s -> %s takeover %d ms (leader process exit %d ms); survivor: %d requests, "
                                    + "%d failed, slowest %d ms%n",
                            r, kind, t.from(), t.to(), t.takeoverMs(), t.exitMs(), t.requests(), t.failed(),
                            t.slowestMs());
                }
            }
            report(results, sessionTimeoutMs);
        } finally {
            for (ControlPlaneProcess p : planes) {
                if (p.alive()) {
                    p.terminate();
                    if (!p.awaitExit(30)) {
                        p.kill();
                    }
                }
            }
            zookeeper.close();
            sql("drop database if exists " + db + " with (force)");
        }
    }

    /** Stops or kills the leader, times the takeover, starts the stopped instance again. */
    private Takeover round(String kind, List<ControlPlaneProcess> planes) throws Exception {
        JsonNode cps = get(planes.get(0), "/api/v1/control-planes");
        String leaderId = cps.get("leader").asString();
        ControlPlaneProcess leader = planes.stream().filter(p -> p.id().equals(leaderId)).findFirst().orElseThrow();
        ControlPlaneProcess survivor = planes.stream().filter(p -> p != leader).findFirst().orElseThrow();
        if (leads(survivor)) {
            throw new IllegalStateException("both report leadership before the round");
        }
        SurvivorLoad load = new SurvivorLoad(survivor);
        Thread loop = new Thread(load, "survivor-load");
        loop.start();
        Thread.sleep(300); // the loop is running before the signal
        long t0 = System.nanoTime();
        if (kind.equals("SIGTERM")) {
            leader.terminate();
        } else {
            leader.kill();
        }
        long deadline = t0 + TimeUnit.SECONDS.toNanos(120);
        long exitMs = -1;
        while (true) {
            if (exitMs < 0 && !leader.alive()) {
                exitMs = ms(t0);
            }
            if (leads(survivor) && status(survivor, "/api/v1/apis") == 200) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(survivor.id() + " did not take over in 120 s");
            }
            Thread.sleep(10);
        }
        long takeoverMs = ms(t0);
        if (!leader.awaitExit(60)) {
            throw new IllegalStateException(leader.id() + " did not exit after " + kind);
        }
        if (exitMs < 0) {
            exitMs = ms(t0);
        }
        Thread.sleep(1000); // the loop goes on a second after the takeover
        load.stop();
        loop.join();
        leader.start();
        awaitUp(leader);
        awaitInstances(survivor, 2);
        return new Takeover(kind, leader.id(), survivor.id(), takeoverMs, exitMs, load.requests.get(),
                load.failed.get(), load.slowestMs.get());
    }

    /** Back-to-back operator requests against the survivor, every one not answered 2xx counted as failed. */
    private final class SurvivorLoad implements Runnable {
        private final ControlPlaneProcess target;
        private final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong requests = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong slowestMs = new AtomicLong();

        SurvivorLoad(ControlPlaneProcess target) {
            this.target = target;
        }

        void stop() {
            running.set(false);
        }

        @Override
        public void run() {
            while (running.get()) {
                long t = System.nanoTime();
                int s = status(target, "/api/v1/apis");
                slowestMs.accumulateAndGet(ms(t), Math::max);
                requests.incrementAndGet();
                if (s < 200 || s > 299) {
                    failed.incrementAndGet();
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static void report(List<Takeover> results, int sessionTimeoutMs) {
        System.out.println();
        System.out.printf(Locale.ROOT, "session timeout %d ms%n", sessionTimeoutMs);
        System.out.println("kind     n  takeover median  max     leader exit median  survivor requests  failed");
        for (String kind : List.of("SIGTERM", "SIGKILL")) {
            List<Takeover> of = results.stream().filter(t -> t.kind().equals(kind)).toList();
            List<Long> take = sorted(of.stream().map(Takeover::takeoverMs).toList());
            List<Long> exit = sorted(of.stream().map(Takeover::exitMs).toList());
            System.out.printf(Locale.ROOT, "%-8s %-2d %8d ms %8d ms %12d ms %18d %7d%n", kind, of.size(),
                    median(take), take.get(take.size() - 1), median(exit),
                    of.stream().mapToLong(Takeover::requests).sum(), of.stream().mapToLong(Takeover::failed).sum());
        }
    }

    private static List<Long> sorted(List<Long> values) {
        List<Long> s = new ArrayList<>(values);
        Collections.sort(s);
        return s;
    }

    private static long median(List<Long> s) {
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    // ---- HTTP ----

    private boolean leads(ControlPlaneProcess p) {
        try {
            HttpResponse<String> r = send(p, "/actuator/health");
            JsonNode details = JSON.readTree(r.body()).path("components").path("leadership").path("details");
            return details.path("leader").asBoolean(false);
        } catch (Exception e) {
            return false;
        }
    }

    private int status(ControlPlaneProcess p, String path) {
        try {
            return send(p, path).statusCode();
        } catch (Exception e) {
            return -1; // refused, timed out: a failure like a 5xx
        }
    }

    private JsonNode get(ControlPlaneProcess p, String path) throws Exception {
        HttpResponse<String> r = send(p, path);
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " on " + p.id() + ": " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    private void post(ControlPlaneProcess p, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(p.url() + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("POST " + path + " on " + p.id() + ": " + r.statusCode() + " " + r.body());
        }
    }

    private HttpResponse<String> send(ControlPlaneProcess p, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(p.url() + path)).timeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Until the instance answers an authenticated request (at most 180 s). */
    private void awaitUp(ControlPlaneProcess p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (status(p, "/api/v1/me") != 200) {
            if (!p.alive() || System.nanoTime() > deadline) {
                throw new IllegalStateException(p.id() + " did not start (alive: " + p.alive() + "); see its log");
            }
            Thread.sleep(100);
        }
    }

    /** Until {@code p} lists {@code n} instances in the election, one of them leading. */
    private void awaitInstances(ControlPlaneProcess p, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                JsonNode cps = get(p, "/api/v1/control-planes");
                if (cps.get("instances").size() == n && !cps.get("leader").isNull()) {
                    return;
                }
            } catch (Exception notYet) {
                // retried below
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(p.id() + " does not list " + n + " control planes");
            }
            Thread.sleep(100);
        }
    }

    // ---- setup ----

    private static void sql(String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(PG_ADMIN_URL, PG_USER, "");
             Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static long ms(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private static Map<String, String> flags(String[] args) {
        Map<String, String> flags = new LinkedHashMap<>();
        for (String a : args) {
            if (!a.startsWith("--") || !a.contains("=")) {
                throw new IllegalArgumentException("flags are --name=value: " + a);
            }
            flags.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
        }
        return flags;
    }
}

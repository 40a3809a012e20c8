package io.topaz.bench.messaging;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A Topaz cluster of processes, as {@code scripts/quickstart.sh} starts one but on ephemeral ports and in a directory
 * of its own: the control plane (its embedded ZooKeeper, its default database under the data directory) and N
 * agents, each with a gateway, a broker port and an admin port, started from the built jars
 * ({@code control-plane/target/*-exec.jar}, {@code agent/target/agent-*.jar}). Agents are real processes so that the
 * soak can SIGKILL one and start it again on the same ports and data directory.
 *
 * <p>Also the control plane's REST calls the harnesses seed with: as the admin, and as the agents (AGENT token) for
 * permits, which are data the agents change.
 */
public final class TopazCluster implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VERSION = "0.1.0-SNAPSHOT";

    private final Path dir;
    private final Process controlPlane;
    private final int httpPort;
    private final int zkPort;
    private final String adminToken;
    private final List<Agent> agents = new ArrayList<>();
    private final List<String> agentJvm;
    private final List<String> agentArgs;
    private final Path agentJar;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String agentToken;

    /** One agent: its zone, ports, data directory and the process running it (replaced on restart). */
    public static final class Agent {
        final String id;
        final String zone;
        final int gatewayPort;
        final int brokerPort;
        final int adminPort;
        final Path dataDir;
        Process process;

        Agent(String id, String zone, int gatewayPort, int brokerPort, int adminPort, Path dataDir) {
            this.id = id;
            this.zone = zone;
            this.gatewayPort = gatewayPort;
            this.brokerPort = brokerPort;
            this.adminPort = adminPort;
            this.dataDir = dataDir;
        }

        public String id() {
            return id;
        }

        /** Its {@code --zone}. */
        public String zone() {
            return zone;
        }

        public URI gateway() {
            return URI.create("http://127.0.0.1:" + gatewayPort + "/router/rest");
        }

        public URI broker() {
            return URI.create("http://127.0.0.1:" + brokerPort);
        }

        /** The push WebSocket on its broker port. */
        public URI pushUrl() {
            return URI.create("ws://127.0.0.1:" + brokerPort + "/");
        }

        /** The admin port's base ({@code /health}, {@code /metrics}, {@code /sync}). */
        public URI admin() {
            return URI.create("http://127.0.0.1:" + adminPort);
        }

        public long pid() {
            return process.pid();
        }

        public boolean alive() {
            return process != null && process.isAlive();
        }
    }

    private TopazCluster(Path dir, Process controlPlane, int httpPort, int zkPort, String adminToken,
                         List<String> agentJvm, List<String> agentArgs, Path agentJar) {
        this.dir = dir;
        this.controlPlane = controlPlane;
        this.httpPort = httpPort;
        this.zkPort = zkPort;
        this.adminToken = adminToken;
        this.agentJvm = agentJvm;
        this.agentArgs = agentArgs;
        this.agentJar = agentJar;
    }

    /**
     * Starts the control plane and {@code agentCount} agents from the jars under {@code repo} (built by
     * {@code mvn package}), with the agents' JVM options and extra flags, in a fresh directory under {@code dir}.
     * Returns when every agent answers on its admin port.
     */
    public static TopazCluster start(Path repo, Path dir, int agentCount, List<String> agentJvm, List<String> agentArgs)
            throws Exception {
        return start(repo, dir, java.util.Collections.nCopies(agentCount, "local"), agentJvm, agentArgs);
    }

    /**
     * As {@link #start(Path, Path, int, List, List)}, with one agent per entry of {@code agentZones} (agent-1 in the
     * first entry's zone, …); the agent cluster {@code bench} expects each of those zones.
     */
    public static TopazCluster start(Path repo, Path dir, List<String> agentZones, List<String> agentJvm,
                                     List<String> agentArgs) throws Exception {
        Path cpJar = repo.resolve("control-plane/target/control-plane-" + VERSION + "-exec.jar");
        Path agentJar = repo.resolve("agent/target/agent-" + VERSION + ".jar");
        for (Path jar : List.of(cpJar, agentJar)) {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException("missing " + jar + ": build first (mvn -DskipTests package)");
            }
        }
        Files.createDirectories(dir.resolve("logs"));
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String token = "tpz_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        int httpPort = Ports.free();
        int zkPort = Ports.free();
        ProcessBuilder pb = new ProcessBuilder(KafkaPeer.javaBinary(), "-Xms64m", "-Xmx512m", "-XX:+UseSerialGC",
                "-jar", cpJar.toString(), "--topaz.data-dir=" + dir.resolve("control-plane"),
                "--server.port=" + httpPort, "--topaz.zookeeper.embedded-port=" + zkPort)
                .redirectErrorStream(true).redirectOutput(dir.resolve("logs/control-plane.log").toFile());
        pb.environment().put("TOPAZ_SECURITY_BOOTSTRAPADMINTOKEN", token);
        TopazCluster cluster = new TopazCluster(dir, pb.start(), httpPort, zkPort, token, agentJvm, agentArgs,
                agentJar);
        try {
            cluster.awaitHttp(URI.create(cluster.controlUrl() + "/actuator/health"), cluster.controlPlane, 180);
            cluster.admin("DELETE", "/api/v1/tokens/bench-agents", null, -1);
            JsonNode t = cluster.admin("POST", "/api/v1/tokens", "{\"name\":\"bench-agents\",\"role\":\"AGENT\"}",
                    201);
            cluster.agentToken = t.get("token").asString();
            for (int i = 1; i <= agentZones.size(); i++) {
                Agent a = new Agent("agent-" + i, agentZones.get(i - 1), Ports.free(), Ports.free(), Ports.free(),
                        dir.resolve("agent-" + i));
                cluster.agents.add(a);
                cluster.launch(a);
            }
            for (Agent a : cluster.agents) {
                cluster.awaitAgent(a);
            }
            cluster.seed("/api/v1/agent-clusters", "bench", "{\"name\":\"bench\",\"zones\":"
                    + JSON.writeValueAsString(agentZones.stream().distinct().toList()) + "}");
            return cluster;
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
    }

    public String controlUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    /** The control plane's embedded ZooKeeper ({@code host:port}; no access control: no identities are set). */
    public String zkConnect() {
        return "127.0.0.1:" + zkPort;
    }

    public String agentToken() {
        return agentToken;
    }

    public List<Agent> agents() {
        return agents;
    }

    public Path dir() {
        return dir;
    }

    /** SIGKILL (no shutdown hook runs, nothing is handed over) and waits until the process is gone. */
    public void kill(Agent a) throws InterruptedException {
        a.process.destroyForcibly(); // SIGKILL on Linux
        if (!a.process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(a.id + " did not die after SIGKILL");
        }
    }

    /** SIGKILLs all of {@code agents} at once (a zone lost), then waits until each process is gone. */
    public void kill(List<Agent> agents) throws InterruptedException {
        agents.forEach(a -> a.process.destroyForcibly());
        for (Agent a : agents) {
            kill(a);
        }
    }

    /** Starts a stopped agent again on its ports and data directory; returns when it answers. */
    public void restart(Agent a) throws Exception {
        if (a.alive()) {
            throw new IllegalStateException(a.id + " is running");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        // The ports were the dead process's: wait until nothing listens there any more (normally at once).
        while ((Ports.accepts(a.gatewayPort) || Ports.accepts(a.brokerPort) || Ports.accepts(a.adminPort))
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        launch(a);
        awaitAgent(a);
    }

    private void launch(Agent a) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(KafkaPeer.javaBinary());
        cmd.addAll(agentJvm);
        cmd.addAll(List.of("-jar", agentJar.toString(), "--id=" + a.id, "--zone=" + a.zone, "--host=127.0.0.1",
                "--cluster=bench", "--zk-connect=127.0.0.1:" + zkPort, "--admin-port=" + a.adminPort,
                "--gateway-port=" + a.gatewayPort, "--broker-port=" + a.brokerPort, "--data-dir=" + a.dataDir,
                "--control-url=" + controlUrl()));
        cmd.addAll(agentArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("logs/" + a.id + ".log").toFile()));
        pb.environment().put("TOPAZ_AGENT_TOKEN", agentToken);
        a.process = pb.start();
    }

    private void awaitAgent(Agent a) throws Exception {
        awaitHttp(URI.create("http://127.0.0.1:" + a.adminPort + "/health"), a.process, 120);
    }

    private void awaitHttp(URI url, Process process, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException(url + " did not answer in " + seconds + " s (alive: "
                        + process.isAlive() + "); logs in " + dir.resolve("logs"));
            }
            Thread.sleep(250);
        }
    }

    // ---- the control plane's REST API ----

    /** An admin call; {@code expect} -1 accepts any status. Returns the JSON answer (null when empty). */
    public JsonNode admin(String method, String path, String body, int expect) throws Exception {
        return send(method, path, body, adminToken, expect);
    }

    /** A call as the agents make it (AGENT token). */
    public JsonNode asAgent(String method, String path, String body, int expect) throws Exception {
        return send(method, path, body, agentToken, expect);
    }

    /** Creates the entry unless {@code path/key} exists. */
    public void seed(String path, String key, String body) throws Exception {
        if (status("GET", path + "/" + key) != 200) {
            admin("POST", path, body, 201);
        }
    }

    /** Creates an app allowed the {@code tmc} API group and returns its secret (shown only at creation). */
    public String createApp(String appKey) throws Exception {
        JsonNode app = admin("POST", "/api/v1/apps", "{\"appKey\":\"" + appKey + "\",\"name\":\"" + appKey
                + "\",\"owner\":\"bench\",\"allowedApiGroups\":[\"tmc\"]}", 201);
        return app.get("secret").asString();
    }

    /**
     * Publishes the draft (if it changed: the revision of its diff, as an operator's script does) and waits until every
     * running agent has applied the live release.
     */
    public void publishAndAwait() throws Exception {
        JsonNode diff = admin("GET", "/api/v1/draft/diff", null, 200);
        long revision = diff.get("draftRevision").asLong();
        HttpResponse<String> published = http.send(HttpRequest.newBuilder(URI.create(controlUrl() + "/api/v1/releases"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + adminToken)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"message\":\"bench\",\"draftRevision\":" + revision + "}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (published.statusCode() != 201 && !(published.statusCode() == 409
                && published.body().contains("nothing to publish"))) {
            throw new IllegalStateException("publish → " + published.statusCode() + ": " + published.body());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String expected = "\"agents\":" + agents.stream().filter(Agent::alive).count() + ",\"lagging\":0";
        while (true) {
            JsonNode fleet = admin("GET", "/api/v1/agents", null, 200);
            if (JSON.writeValueAsString(fleet).contains(expected)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("agents did not apply the release in 60 s: " + fleet
                        + logTails(JSON.writeValueAsString(fleet)));
            }
            Thread.sleep(250);
        }
    }

    /** The last lines of the logs of the agents missing from (or lagging in) {@code fleet}, for a failure message. */
    private String logTails(String fleet) {
        StringBuilder sb = new StringBuilder();
        for (Agent a : agents) {
            if (fleet.contains("\"id\":\"" + a.id + "\"") && !fleet.contains("\"lagging\":true")) {
                continue;
            }
            sb.append(System.lineSeparator()).append("--- ").append(a.id).append(" (alive: ").append(a.alive())
                    .append("), last lines of its log:");
            try {
                List<String> lines = Files.readAllLines(dir.resolve("logs/" + a.id + ".log"));
                for (String line : lines.subList(Math.max(0, lines.size() - 40), lines.size())) {
                    sb.append(System.lineSeparator()).append(line);
                }
            } catch (IOException e) {
                sb.append(" (cannot read: ").append(e.getMessage()).append(')');
            }
        }
        return sb.toString();
    }

    /**
     * A seller with TOP's numeric user id who has permitted each of {@code apps} for every topic it subscribes to
     * (as the quickstart seeds its demo seller): a session of each app, then the permit, through the agents' API.
     */
    public void permitAll(String userId, String nick, List<String> apps) throws Exception {
        seed("/api/v1/users", userId, "{\"userId\":\"" + userId + "\",\"nick\":\"" + nick + "\"}");
        for (String app : apps) {
            admin("POST", "/api/v1/sessions", "{\"appKey\":\"" + app + "\",\"userId\":\"" + userId + "\"}", 201);
            asAgent("POST", "/api/v1/metadata/tmc/apps/" + app + "/permits/permit", "{\"userId\":\"" + userId + "\"}",
                    200);
        }
    }

    private int status(String method, String path) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(controlUrl() + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + adminToken).method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        return http.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private JsonNode send(String method, String path, String body, String token, int expect) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(controlUrl() + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (expect >= 0 && r.statusCode() != expect) {
            throw new IllegalStateException(method + " " + path + " → " + r.statusCode() + ": " + r.body());
        }
        return r.body().isBlank() ? null : JSON.readTree(r.body());
    }

    /** Stops the agents (SIGTERM, so they unregister while ZooKeeper is up), then the control plane. */
    @Override
    public void close() {
        for (Agent a : agents) {
            if (a.alive()) {
                a.process.destroy();
            }
        }
        for (Agent a : agents) {
            stop(a.process);
        }
        controlPlane.destroy();
        stop(controlPlane);
    }

    private static void stop(Process p) {
        if (p == null) {
            return;
        }
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "topaz cluster: control plane %s, %d agents, in %s", controlUrl(),
                agents.size(), dir);
    }
}

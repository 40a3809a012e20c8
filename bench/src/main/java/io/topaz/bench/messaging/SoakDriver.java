package io.topaz.bench.messaging;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The message service's crash soak (issue 16): a cluster of agent processes, producers and consumers running the
 * whole time, and, {@code runs} times, the agent that owns a consumer queue killed with SIGKILL and started again on
 * its ports and data directory. At the end (producers stopped, consumers left to drain) every message whose produce
 * was acknowledged must have been consumed at least once by every subscribed app; duplicates are counted and reported,
 * never hidden.
 *
 * <p>Which agent to kill: the one whose broker port lists the first app's queue ({@code GET /internal/v1/queues},
 * AGENT token); when no agent or several list it (a returning owner still handing over), the first listing it, else
 * the agents in turn. Every produce attempt carries a new sequence number (a failed produce is not retried with the
 * same one), so a message delivered whose produce failed is counted apart (allowed: at least once), and a message
 * acknowledged but never delivered is lost.
 *
 * <p>{@link #run(Settings)} is the API a CI test calls with a few runs; {@link #main(String[])} is what
 * {@code scripts/soak-messaging.sh} runs.
 */
public final class SoakDriver {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String TOPIC = "topaz_soak_OrderEvent";
    static final String PRODUCER = "soak-producer";
    static final String SELLER_ID = "3100000888";
    static final String SELLER_NICK = "soak_seller";

    private SoakDriver() {
    }

    /** The soak's knobs; {@link #fromEnv(int)} reads them from {@code SOAK_*} variables. */
    public record Settings(Path repo, Path dir, int runs, int agents, int apps, int pushApps, int producers,
                           double rate, long beforeKillMillis, long downMillis, long afterRestartMillis,
                           int drainSeconds, List<String> agentJvm, List<String> agentArgs) {

        public static Settings fromEnv(int runs) throws Exception {
            return new Settings(Path.of(env("TOPAZ_REPO", ".")).toAbsolutePath().normalize(),
                    Files.createTempDirectory("topaz-soak"), runs,
                    Integer.parseInt(env("SOAK_AGENTS", "2")),
                    Integer.parseInt(env("SOAK_APPS", "2")),
                    Integer.parseInt(env("SOAK_PUSH_APPS", "1")),
                    Integer.parseInt(env("SOAK_PRODUCERS", "4")),
                    Double.parseDouble(env("SOAK_RATE", "200")),
                    Long.parseLong(env("SOAK_BEFORE_KILL_MS", "3000")),
                    Long.parseLong(env("SOAK_DOWN_MS", "2000")),
                    Long.parseLong(env("SOAK_AFTER_RESTART_MS", "3000")),
                    Integer.parseInt(env("SOAK_DRAIN_SECONDS", "300")),
                    words(env("SOAK_AGENT_JVM_OPTS", "-Xms64m -Xmx512m -XX:+UseSerialGC")),
                    words(env("SOAK_AGENT_ARGS", "")));
        }

        private static String env(String name, String fallback) {
            String v = System.getenv(name);
            return v == null || v.isBlank() ? fallback : v.trim();
        }

        private static List<String> words(String s) {
            return s.isBlank() ? List.of() : List.of(s.trim().split("\\s+"));
        }
    }

    /** One kill: whom, how it was chosen, and how long the agent took to answer again after its restart began. */
    public record Kill(int run, String agent, String chosenBy, long restartMillis) {
    }

    /** One app's deliveries, by the producer's sequence numbers. */
    public record AppFigures(String app, long deliveries, long acknowledgedDelivered, long lost, long duplicates,
                             long unacknowledgedDelivered, List<Long> firstLost) {
    }

    /**
     * The soak's outcome. {@link #passed()}: messages were acknowledged, and none of them was lost by any app (a soak
     * in which no produce succeeded proves nothing and fails).
     */
    public record Report(int runs, long attempted, long acknowledged, long failedProduces, String firstProduceError,
                         List<AppFigures> apps, List<Kill> kills, long drainMillis, long wallMillis,
                         long consumeErrors, List<String> pushApps, long pushReconnects) {

        public boolean passed() {
            return acknowledged > 0 && apps.stream().allMatch(a -> a.lost() == 0);
        }

        public long lost() {
            return apps.stream().mapToLong(AppFigures::lost).sum();
        }

        public long duplicates() {
            return apps.stream().mapToLong(AppFigures::duplicates).sum();
        }

        public String summary() {
            StringBuilder sb = new StringBuilder();
            long[] restart = kills.stream().mapToLong(Kill::restartMillis).sorted().toArray();
            sb.append(String.format(Locale.ROOT, "soak: %d runs (SIGKILL of the queue's owner, restart), %.0f s in all;"
                            + " produce attempts %,d, acknowledged %,d, failed (not acknowledged) %,d%n", runs,
                    wallMillis / 1000.0, attempted, acknowledged, failedProduces));
            if (firstProduceError != null) {
                sb.append("first failed produce: ").append(firstProduceError).append('\n');
            }
            if (restart.length > 0) {
                sb.append(String.format(Locale.ROOT, "restart to healthy: median %d ms, max %d ms; kills by owner "
                                + "lookup %d of %d%n", restart[restart.length / 2], restart[restart.length - 1],
                        kills.stream().filter(k -> k.chosenBy().equals("owner")).count(), kills.size()));
            }
            sb.append(String.format(Locale.ROOT, "drain after the last run: %.1f s; consume call errors %,d%n",
                    drainMillis / 1000.0, consumeErrors));
            if (!pushApps.isEmpty()) {
                sb.append(String.format(Locale.ROOT, "consumed by push (WebSocket, one consumer per agent): %s; push "
                        + "reconnections %,d%n", String.join(", ", pushApps), pushReconnects));
            }
            sb.append("| app | deliveries | acknowledged delivered | lost | duplicates | duplicate rate | "
                    + "delivered without ack |\n|---|---:|---:|---:|---:|---:|---:|\n");
            for (AppFigures a : apps) {
                sb.append(String.format(Locale.ROOT, "| %s | %,d | %,d of %,d | %,d | %,d | %.3f %% | %,d |%n", a.app(),
                        a.deliveries(), a.acknowledgedDelivered(), acknowledged, a.lost(), a.duplicates(),
                        100.0 * a.duplicates() / Math.max(1, a.deliveries()), a.unacknowledgedDelivered()));
                if (a.lost() > 0) {
                    sb.append("  lost (first): ").append(a.firstLost()).append('\n');
                }
            }
            sb.append(passed() ? "PASSED: every acknowledged message was consumed at least once by every app\n"
                    : acknowledged == 0 ? "FAILED: no produce was acknowledged\n"
                    : "FAILED: " + lost() + " acknowledged deliveries lost\n");
            return sb.toString();
        }
    }

    public static void main(String[] args) throws Exception {
        int runs = 50;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--runs") && i + 1 < args.length) {
                runs = Integer.parseInt(args[++i]);
            } else if (args[i].startsWith("--runs=")) {
                runs = Integer.parseInt(args[i].substring(7));
            } else {
                System.err.println("usage: SoakDriver [--runs N]   (default 50; settings: SOAK_* variables)");
                System.exit(2);
            }
        }
        Settings s = Settings.fromEnv(runs);
        System.out.println("machine: " + MessagingBench.Machine.describe());
        System.out.println("soak settings: " + s);
        Report report = run(s);
        System.out.print(report.summary());
        System.exit(report.passed() ? 0 : 1);
    }

    /** Runs the soak: starts the cluster in {@code s.dir()}, seeds it, kills and restarts, drains, and stops it. */
    public static Report run(Settings s) throws Exception {
        long began = System.nanoTime();
        try (TopazCluster cluster = TopazCluster.start(s.repo(), s.dir(), s.agents(), s.agentJvm(), s.agentArgs())) {
            System.out.println(cluster);
            String producerSecret = cluster.createApp(PRODUCER);
            cluster.admin("POST", "/api/v1/topics", "{\"name\":\"" + TOPIC + "\",\"group\":\"topaz_soak\","
                    + "\"producerApps\":[\"" + PRODUCER + "\"],\"dataIdField\":\"tid\"}", 201);
            List<String> apps = new ArrayList<>();
            Map<String, String> secrets = new ConcurrentHashMap<>();
            for (int i = 1; i <= s.apps(); i++) {
                String app = "soak-app-" + i;
                secrets.put(app, cluster.createApp(app));
                cluster.admin("POST", "/api/v1/subscriptions", "{\"appKey\":\"" + app + "\",\"topics\":[\"" + TOPIC
                        + "\"]}", 201);
                apps.add(app);
            }
            cluster.publishAndAwait();
            cluster.permitAll(SELLER_ID, SELLER_NICK, apps);

            Ledger ledger = new Ledger(apps);
            AtomicLong consumeErrors = new AtomicLong();
            List<TmcConsumerLoop> loops = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            // The first pushApps apps are consumed by push: one WebSocket consumer connected to every agent's broker
            // port (the killed owner's included: it reconnects when the agent is back), confirming each message.
            // The others are consumed by pull through every agent's gateway. Either way, while one agent is down
            // the others keep consuming.
            List<TmcPushConsumer> pushers = new ArrayList<>();
            for (String app : apps.subList(0, Math.min(s.pushApps(), apps.size()))) {
                for (TopazCluster.Agent a : cluster.agents()) {
                    pushers.add(new TmcPushConsumer(a.pushUrl(), app, secrets.get(app), "default",
                            r -> ledger.delivered(app, Payload.seq(r.content()))).start());
                }
            }
            for (String app : apps.subList(Math.min(s.pushApps(), apps.size()), apps.size())) {
                for (TopazCluster.Agent a : cluster.agents()) {
                    TmcConsumerLoop loop = new TmcConsumerLoop(a.gateway(), app, secrets.get(app), 100, 20,
                            r -> ledger.delivered(app, Payload.seq(r.content())), consumeErrors, m -> { });
                    Thread t = new Thread(loop, "consume-" + app + "-" + a.id());
                    t.setDaemon(true);
                    t.start();
                    loops.add(loop);
                    threads.add(t);
                }
            }
            ProducerPool producers = new ProducerPool(cluster, producerSecret, s.producers(), s.rate(), ledger);
            producers.start();

            List<Kill> kills = new ArrayList<>();
            for (int run = 1; run <= s.runs(); run++) {
                Thread.sleep(s.beforeKillMillis());
                Choice victim = owner(cluster, apps.get(0) + "/default", run);
                cluster.kill(victim.agent());
                Thread.sleep(s.downMillis());
                long restartAt = System.nanoTime();
                cluster.restart(victim.agent());
                long restartMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartAt);
                kills.add(new Kill(run, victim.agent().id(), victim.by(), restartMillis));
                Thread.sleep(s.afterRestartMillis());
                System.out.printf(Locale.ROOT, "run %d: killed %s (%s), answering again %d ms after its restart; "
                                + "acknowledged so far %,d, failed produces %,d%n", run, victim.agent().id(),
                        victim.by(), restartMillis, ledger.acknowledged(), producers.failed.sum());
            }
            producers.stop();

            long drainStart = System.nanoTime();
            ledger.awaitAll(s.drainSeconds());
            long drainMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - drainStart);
            loops.forEach(TmcConsumerLoop::stop);
            pushers.forEach(TmcPushConsumer::close);
            long pushReconnects = pushers.stream().mapToLong(p -> p.connects.get()).sum() - pushers.size();
            for (Thread t : threads) {
                t.join(30_000);
            }
            return new Report(s.runs(), producers.attempted.get(), ledger.acknowledged(), producers.failed.sum(),
                    producers.firstError, ledger.figures(), kills, drainMillis, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began),
                    consumeErrors.get(), apps.subList(0, Math.min(s.pushApps(), apps.size())), pushReconnects);
        }
    }

    private record Choice(TopazCluster.Agent agent, String by) {
    }

    /** The agent that holds {@code queue}, asked on each agent's broker port; else the agents in turn. */
    static Choice owner(TopazCluster cluster, String queue, int run) {
        for (TopazCluster.Agent a : cluster.agents()) {
            if (!a.alive()) {
                continue;
            }
            try (BlockingHttp http = new BlockingHttp(a.broker(), 5_000)) {
                BlockingHttp.Answer answer = http.get("/internal/v1/queues", "Bearer " + cluster.agentToken());
                if (answer.status() != 200) {
                    continue;
                }
                for (JsonNode q : JSON.readTree(answer.body()).path("queues")) {
                    if (queue.equals(q.path("queue").asString())) {
                        return new Choice(a, "owner");
                    }
                }
            } catch (Exception e) {
                // not answering: try the next
            }
        }
        List<TopazCluster.Agent> agents = cluster.agents();
        return new Choice(agents.get(run % agents.size()), "in turn");
    }

    /** Which sequence numbers were acknowledged, and how often each app received each. */
    static final class Ledger {
        private final BitSet acked = new BitSet();
        private final Map<String, ConcurrentHashMap<Long, AtomicInteger>> received = new ConcurrentHashMap<>();
        private final List<String> apps;

        Ledger(List<String> apps) {
            this.apps = apps;
            apps.forEach(a -> received.put(a, new ConcurrentHashMap<>()));
        }

        synchronized void acknowledged(long seq) {
            acked.set(Math.toIntExact(seq));
        }

        synchronized long acknowledged() {
            return acked.cardinality();
        }

        void delivered(String app, long seq) {
            received.get(app).computeIfAbsent(seq, k -> new AtomicInteger()).incrementAndGet();
        }

        /** Waits until every app received every acknowledged message, {@code maxSeconds} passed, or 60 s quiet. */
        void awaitAll(int maxSeconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
            long lastMissing = -1;
            long changedAt = System.nanoTime();
            while (System.nanoTime() < deadline) {
                long missing = figures().stream().mapToLong(AppFigures::lost).sum();
                if (missing == 0) {
                    return;
                }
                if (missing != lastMissing) {
                    lastMissing = missing;
                    changedAt = System.nanoTime();
                } else if (System.nanoTime() - changedAt > TimeUnit.SECONDS.toNanos(60)) {
                    return;
                }
                Thread.sleep(500);
            }
        }

        List<AppFigures> figures() {
            BitSet ack;
            synchronized (this) {
                ack = (BitSet) acked.clone();
            }
            List<AppFigures> out = new ArrayList<>();
            for (String app : apps) {
                Map<Long, AtomicInteger> got = received.get(app);
                long deliveries = 0;
                long duplicates = 0;
                long unacked = 0;
                long ackedDelivered = 0;
                for (Map.Entry<Long, AtomicInteger> e : got.entrySet()) {
                    int n = e.getValue().get();
                    deliveries += n;
                    duplicates += n - 1;
                    if (ack.get(Math.toIntExact(e.getKey()))) {
                        ackedDelivered++;
                    } else {
                        unacked++;
                    }
                }
                List<Long> firstLost = new ArrayList<>();
                long lost = 0;
                for (int seq = ack.nextSetBit(0); seq >= 0; seq = ack.nextSetBit(seq + 1)) {
                    if (!got.containsKey((long) seq)) {
                        lost++;
                        if (firstLost.size() < 20) {
                            firstLost.add((long) seq);
                        }
                    }
                }
                out.add(new AppFigures(app, deliveries, ackedDelivered, lost, duplicates, unacked, firstLost));
            }
            return out;
        }
    }

    /**
     * Producers paced to {@code rate} messages per second in all. Each produces through one agent's gateway and moves
     * to the next agent after a failure (as a client with several endpoints does); a failed produce is counted and
     * not retried (its sequence number stays unacknowledged).
     */
    static final class ProducerPool {
        final AtomicLong attempted = new AtomicLong();
        final LongAdder failed = new LongAdder();
        volatile String firstError;
        private final TopazCluster cluster;
        private final String secret;
        private final int threads;
        private final double rate;
        private final Ledger ledger;
        private final List<Thread> running = new ArrayList<>();
        private volatile boolean stop;

        ProducerPool(TopazCluster cluster, String secret, int threads, double rate, Ledger ledger) {
            this.cluster = cluster;
            this.secret = secret;
            this.threads = threads;
            this.rate = rate;
            this.ledger = ledger;
        }

        void start() {
            long interval = (long) (1e9 * threads / rate);
            for (int i = 0; i < threads; i++) {
                int index = i;
                Thread t = new Thread(() -> produce(index, interval), "soak-produce-" + i);
                t.setDaemon(true);
                t.start();
                running.add(t);
            }
        }

        private void produce(int index, long interval) {
            List<TopazCluster.Agent> agents = cluster.agents();
            int agent = index % agents.size();
            TopClient client = new TopClient(agents.get(agent).gateway(), PRODUCER, secret, 10_000);
            long next = System.nanoTime() + index * interval / threads;
            while (!stop) {
                long now = System.nanoTime();
                if (next > now) {
                    LockSupport.parkNanos(next - now);
                }
                next = Math.max(next + interval, System.nanoTime() - interval);
                long seq = attempted.incrementAndGet();
                String content = Payload.content(seq, System.nanoTime(), SELLER_NICK);
                try {
                    JsonNode r = client.call("taobao.tmc.message.produce", Map.of("topic", TOPIC, "content", content));
                    if (r.has("is_success") && !r.get("is_success").asBoolean()) {
                        throw new IllegalStateException("not successful: " + r);
                    }
                    ledger.acknowledged(seq);
                } catch (Exception e) {
                    failed.increment();
                    if (firstError == null) {
                        firstError = e.toString();
                    }
                    client.close();
                    agent = (agent + 1) % agents.size();
                    client = new TopClient(agents.get(agent).gateway(), PRODUCER, secret, 10_000);
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                }
            }
            client.close();
        }

        void stop() throws InterruptedException {
            stop = true;
            for (Thread t : running) {
                t.join(30_000);
            }
        }
    }
}

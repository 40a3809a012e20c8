package io.topaz.bench.messaging;

import org.HdrHistogram.Histogram;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The push benchmark (issue 17), "the latency race": Topaz's push over WebSocket against Apache Kafka, the same
 * workload in the same run on the same machine.
 *
 * <p>The workload: {@code consumers} receivers (Topaz: apps with one {@link TmcPushClient} connection each; Kafka: a
 * topic of one partition per receiver read by one consumer group, see {@link KafkaPeer#openSpread}), every message
 * (1 KiB, {@link Payload}) to one of them. Producers publish as a platform service does ({@link TopazPushPeer}) and
 * wait for the acknowledgement (durable); receivers confirm (commit) what they received.
 * <ol>
 *   <li><b>Throughput</b>, per system: {@code producers} threads back to back (closed loop), a warm-up, then a
 *   measured window: acknowledged produces per second, and the <em>push rate</em> — messages received by the
 *   consumers inside the window, per second. The maximum sustained push throughput is that rate when every
 *   acknowledged message was delivered by the end of the phase.</li>
 *   <li><b>Latency</b>, per rate and system: the producers paced to the rate in all; from the producer's call to the
 *   consumer's receipt, HdrHistogram, p50/p99/p99.9/max. The harness says when it could not send at the rate.</li>
 * </ol>
 * Then the agent's Prometheus metrics: the share of confirmations completed without disk I/O
 * ({@code topaz_push_confirm*}, "n/a" when the agent has no such metric). Run with {@code scripts/bench-push.sh};
 * settings are environment variables, see {@link Settings#fromEnv()}.
 */
public final class PushBench {

    private PushBench() {
    }

    /** What to run; the script documents every variable. */
    record Settings(List<String> systems, int consumers, List<String> rates, int producers, int warmupSeconds,
                    int seconds, int clientThreads, KafkaPeer.Flush flush, List<String> serverJvm,
                    List<String> agentArgs, int drainSeconds, Path repo) {

        static Settings fromEnv() {
            return new Settings(
                    List.of(env("BENCH_PUSH_SYSTEMS", "kafka,topaz").split(",")),
                    Integer.parseInt(env("BENCH_PUSH_CONSUMERS", "100")),
                    Arrays.stream(env("BENCH_PUSH_RATES", "10000,max").split(",")).map(String::trim).toList(),
                    Integer.parseInt(env("BENCH_PUSH_PRODUCERS", "128")),
                    Integer.parseInt(env("BENCH_PUSH_WARMUP", "10")),
                    Integer.parseInt(env("BENCH_PUSH_SECONDS", "30")),
                    Integer.parseInt(env("BENCH_PUSH_CLIENT_THREADS", "2")),
                    KafkaPeer.Flush.valueOf(env("BENCH_KAFKA_FLUSH", "interval").toUpperCase(Locale.ROOT)),
                    words(env("BENCH_SERVER_JVM_OPTS", "-Xms1g -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20")),
                    words(env("BENCH_TOPAZ_AGENT_ARGS", "")),
                    Integer.parseInt(env("BENCH_PUSH_DRAIN", "120")),
                    Path.of(env("TOPAZ_REPO", ".")).toAbsolutePath().normalize());
        }

        private static String env(String name, String fallback) {
            String v = System.getenv(name);
            return v == null || v.isBlank() ? fallback : v.trim();
        }

        private static List<String> words(String s) {
            return s.isBlank() ? List.of() : List.of(s.trim().split("\\s+"));
        }
    }

    /**
     * One phase's figures. {@code targetRate} 0: the throughput phase. {@code pushedPerSecond}: receipts inside the
     * measured window, per second.
     */
    record Result(String system, double targetRate, double ackedPerSecond, double pushedPerSecond, Histogram e2e,
                  long acked, long received, long errors, long late) {

        boolean allDelivered() {
            return received >= acked;
        }

        /** Paced phase: the producers kept the rate (within 2 %) and never fell a second behind. */
        boolean sustained() {
            return targetRate == 0 || (ackedPerSecond >= 0.98 * targetRate && late == 0 && allDelivered());
        }
    }

    /** Everything one run measured. */
    record Report(List<Result> results, String confirmShare, List<String> confirmMetrics) {
    }

    public static void main(String[] args) throws Exception {
        Settings s = Settings.fromEnv();
        Path dir = Files.createTempDirectory("topaz-push-bench-");
        System.out.printf(Locale.ROOT, "push bench: %d consumers, each message to one; rates %s msg/s; %d producers; "
                        + "%d s warm-up + %d s measured per phase; Kafka flush %s; server JVM %s; in %s%n",
                s.consumers(), s.rates(), s.producers(), s.warmupSeconds(), s.seconds(), s.flush(), s.serverJvm(), dir);
        System.out.println("machine: " + MessagingBench.Machine.describe());
        Report report = run(s, dir);
        print(report);
    }

    /** Runs every phase of every system in {@code s} with their processes under {@code dir}. */
    static Report run(Settings s, Path dir) throws Exception {
        Map<String, MessagingPeer> peers = new LinkedHashMap<>();
        TopazPushPeer topaz = null;
        try {
            for (String system : s.systems()) {
                switch (system.trim()) {
                    case "kafka" -> {
                        KafkaPhases kafka = new KafkaPhases(dir.resolve("kafka"), s.flush(), null, s.serverJvm(),
                                MessagingBench.SELLER_NICK, 100);
                        kafka.spreadOver(s.consumers());
                        peers.put("kafka", kafka);
                    }
                    case "topaz" -> {
                        TopazCluster cluster = TopazCluster.start(s.repo(), dir.resolve("topaz"), 1, s.serverJvm(),
                                s.agentArgs());
                        try {
                            topaz = TopazPushPeer.start(cluster, s.consumers(), MessagingBench.SELLER_NICK,
                                    s.clientThreads());
                        } catch (Exception e) {
                            cluster.close();
                            throw e;
                        }
                        peers.put("topaz", topaz);
                    }
                    default -> throw new IllegalArgumentException("BENCH_PUSH_SYSTEMS: unknown system '" + system + "'");
                }
            }
            List<Result> results = new ArrayList<>();
            Map<String, Result> max = new LinkedHashMap<>();
            for (MessagingPeer peer : peers.values()) {
                peer.prepare(MessagingPeer.Phase.THROUGHPUT);
                Result r = phase(peer, 0, s);
                max.put(peer.name(), r);
                results.add(r);
                line(r);
            }
            for (String rateSpec : s.rates()) {
                double rate = rateSpec.equals("max")
                        ? 0.9 * max.values().stream().mapToDouble(Result::pushedPerSecond).min().orElse(1000)
                        : Double.parseDouble(rateSpec);
                for (MessagingPeer peer : peers.values()) {
                    peer.prepare(MessagingPeer.Phase.LATENCY);
                    Result r = phase(peer, rate, s);
                    results.add(r);
                    line(r);
                }
            }
            String share = "n/a";
            List<String> metrics = List.of();
            if (topaz != null) {
                metrics = PushMetricsScrape.confirmLines(scrape(topaz.cluster().agents().get(0)));
                share = PushMetricsScrape.withoutDiskShare(metrics);
            }
            return new Report(results, share, metrics);
        } finally {
            for (MessagingPeer p : peers.values()) {
                try {
                    p.close();
                } catch (Exception e) {
                    System.err.println("closing " + p.name() + ": " + e);
                }
            }
        }
    }

    /** One phase on a fresh cell: paced at {@code rate} msg/s in all, or closed loop when {@code rate} is 0. */
    static Result phase(MessagingPeer peer, double rate, Settings s) throws Exception {
        MessagingBench.Window window = new MessagingBench.Window();
        LongAdder inWindow = new LongAdder();
        AtomicLong windowFrom = new AtomicLong(Long.MAX_VALUE);
        AtomicLong windowTo = new AtomicLong(Long.MIN_VALUE);
        MessagingPeer.Receipts sink = content -> {
            long now = System.nanoTime();
            window.received(content);
            if (now >= windowFrom.get() && now < windowTo.get()) {
                inWindow.increment();
            }
        };
        try (MessagingPeer.Cell cell = peer.open(1, sink)) {
            long start = System.nanoTime();
            long from = start + TimeUnit.SECONDS.toNanos(s.warmupSeconds());
            long to = from + TimeUnit.SECONDS.toNanos(s.seconds());
            windowTo.set(to);
            windowFrom.set(from);
            window.set(from, to);
            MessagingBench.Producers producers = new MessagingBench.Producers(cell, s.producers());
            if (rate > 0) {
                producers.run(from, to, true, start, (long) (1e9 / rate));
            } else {
                producers.run(from, to, false, 0, 0);
            }
            window.drain(producers.acked.sum(), s.drainSeconds());
            return new Result(peer.name(), rate, producers.inWindow.sum() / (double) s.seconds(),
                    inWindow.sum() / (double) s.seconds(), window.e2e, producers.acked.sum(), window.received.sum(),
                    producers.errors.sum(), producers.late.sum());
        }
    }

    private static String scrape(TopazCluster.Agent agent) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.adminPort
                + "/metrics")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? r.body() : "";
    }

    private static void line(Result r) {
        System.out.printf(Locale.ROOT, "  %-6s %s: acked %,.0f msg/s, pushed %,.0f msg/s; produce -> receive p50 %.2f "
                        + "ms p99 %.2f ms p99.9 %.2f ms max %.1f ms; delivered %d of %d; errors %d; late sends %d%n",
                r.system(), r.targetRate() == 0 ? "throughput" : String.format(Locale.ROOT, "at %,.0f msg/s",
                        r.targetRate()), r.ackedPerSecond(), r.pushedPerSecond(), ms(r.e2e(), 50), ms(r.e2e(), 99),
                ms(r.e2e(), 99.9), r.e2e().getMaxValue() / 1000.0, r.received(), r.acked(), r.errors(), r.late());
    }

    static double ms(Histogram h, double percentile) {
        return MessagingBench.ms(h, percentile);
    }

    private static void print(Report report) {
        System.out.println();
        System.out.println("| phase | system | acked msg/s | pushed msg/s | p50 ms | p99 ms | p99.9 ms | max ms | "
                + "delivered | sustained |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---|---|");
        Map<String, Map<String, Result>> byPhase = new LinkedHashMap<>();
        for (Result r : report.results()) {
            String phase = r.targetRate() == 0 ? "max throughput"
                    : String.format(Locale.ROOT, "latency at %,.0f msg/s", r.targetRate());
            byPhase.computeIfAbsent(phase, k -> new LinkedHashMap<>()).put(r.system(), r);
        }
        for (Map.Entry<String, Map<String, Result>> p : byPhase.entrySet()) {
            for (Result r : p.getValue().values()) {
                System.out.printf(Locale.ROOT, "| %s | %s | %,.0f | %,.0f | %.2f | %.2f | %.2f | %.1f | %s | %s |%n",
                        p.getKey(), r.system(), r.ackedPerSecond(), r.pushedPerSecond(), ms(r.e2e(), 50),
                        ms(r.e2e(), 99), ms(r.e2e(), 99.9), r.e2e().getMaxValue() / 1000.0,
                        r.allDelivered() ? "all" : r.received() + " of " + r.acked(), r.sustained() ? "yes" : "no");
            }
            Result t = p.getValue().get("topaz");
            Result k = p.getValue().get("kafka");
            if (t != null && k != null) {
                System.out.printf(Locale.ROOT, "| %s | ratio topaz / kafka | %.2f× | %.2f× | %.2f× | %.2f× | %.2f× | "
                                + "%.2f× | | |%n", p.getKey(), t.ackedPerSecond() / k.ackedPerSecond(),
                        t.pushedPerSecond() / k.pushedPerSecond(), ms(t.e2e(), 50) / ms(k.e2e(), 50),
                        ms(t.e2e(), 99) / ms(k.e2e(), 99), ms(t.e2e(), 99.9) / ms(k.e2e(), 99.9),
                        t.e2e().getMaxValue() / (double) k.e2e().getMaxValue());
            }
        }
        System.out.println("(pushed: messages received by the consumers inside the measured window, per second; "
                + "sustained: the producers kept the rate and every acknowledged message was delivered; ratios above 1 "
                + "mean Topaz is higher: better for msg/s, worse for latency)");
        System.out.println("confirmations completed without disk I/O: " + report.confirmShare());
        report.confirmMetrics().forEach(l -> System.out.println("  " + l));
    }
}

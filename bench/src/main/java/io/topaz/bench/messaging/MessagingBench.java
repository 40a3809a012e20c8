package io.topaz.bench.messaging;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The message service's benchmark (issue 16): Topaz's TMC produce and pull against Apache Kafka, the same workload in
 * the same run on the same machine.
 *
 * <p>For each fan-out (1 and 10 subscribed apps per message) and each system, two phases, each on a cell of its own
 * (a fresh Kafka topic and consumer groups; Topaz's apps' queues, drained before):
 * <ol>
 *   <li><b>Throughput</b>: {@code producers} threads each produce 1 KiB messages back to back, each waiting for the
 *   acknowledgement (durable) before the next — a fixed concurrency, closed loop — while the consumers consume and
 *   confirm. Counted: acknowledgements completed in the measured window, per second; the acknowledgement's latency.
 *   </li>
 *   <li><b>Latency</b>: the same producers paced to a fixed total rate (the same for both systems), while each
 *   subscribed app's consumer receives every message. Timed: from the producer's call (the message carries its
 *   {@code System.nanoTime()}; producers and consumers share this JVM) to the consumer's receipt, per message and
 *   app, in HdrHistogram.</li>
 * </ol>
 * Between phases the harness waits until every acknowledged message reached every app (or reports the shortfall).
 * The systems under test run as processes of their own (see {@link KafkaPeer}, {@link TopazCluster}); this JVM only
 * drives them. Run it with {@code scripts/bench-messaging.sh}; settings are environment variables, see
 * {@link Settings#fromEnv()}.
 */
public final class MessagingBench {

    static final String SELLER_NICK = "bench_seller";
    private static final long HIGHEST_MICROS = TimeUnit.SECONDS.toMicros(120);

    private MessagingBench() {
    }

    /** What to run; every field has an environment variable (the script documents them). */
    record Settings(List<String> systems, List<Integer> fanOuts, int producers, int warmupSeconds, int seconds,
                    int latencyWarmupSeconds, String rate, int quantity, long idleMillis, KafkaPeer.Flush flush,
                    Integer kafkaCommitLinger, int topazAgents, List<String> serverJvm, List<String> agentArgs,
                    int drainSeconds, Path repo) {

        static Settings fromEnv() {
            return new Settings(
                    List.of(env("BENCH_MSG_SYSTEMS", "kafka,topaz").split(",")),
                    Arrays.stream(env("BENCH_MSG_FANOUTS", "1,10").split(",")).map(String::trim)
                            .map(Integer::valueOf).toList(),
                    Integer.parseInt(env("BENCH_MSG_PRODUCERS", "16")),
                    Integer.parseInt(env("BENCH_MSG_WARMUP", "20")),
                    Integer.parseInt(env("BENCH_MSG_SECONDS", "30")),
                    Integer.parseInt(env("BENCH_MSG_LATENCY_WARMUP", "5")),
                    env("BENCH_MSG_RATE", "1000"),
                    Integer.parseInt(env("BENCH_MSG_QUANTITY", "100")),
                    Long.parseLong(env("BENCH_MSG_IDLE_MS", "2")),
                    KafkaPeer.Flush.valueOf(env("BENCH_KAFKA_FLUSH", "interval").toUpperCase(Locale.ROOT)),
                    System.getenv("BENCH_KAFKA_COMMIT_LINGER_MS") == null ? null
                            : Integer.valueOf(System.getenv("BENCH_KAFKA_COMMIT_LINGER_MS").trim()),
                    Integer.parseInt(env("BENCH_TOPAZ_AGENTS", "1")),
                    words(env("BENCH_SERVER_JVM_OPTS", "-Xms1g -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20")),
                    words(env("BENCH_TOPAZ_AGENT_ARGS", "")),
                    Integer.parseInt(env("BENCH_MSG_DRAIN", "120")),
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

    /** One phase's figures. */
    record Result(String system, int fanOut, double ackedPerSecond, Histogram ack, Histogram e2e, double targetRate,
                  long acked, long expected, long received, long errors, long late) {
    }

    public static void main(String[] args) throws Exception {
        Settings s = Settings.fromEnv();
        Path dir = Files.createTempDirectory("topaz-bench-messaging");
        System.out.printf(Locale.ROOT, "messaging: systems %s, fan-outs %s, %d producers, 1 KiB messages; throughput "
                        + "%d s warm-up + %d s, latency at %s msg/s %d s warm-up + %d s; consume batch %d; Kafka flush %s,"
                        + " commit linger %s; %d Topaz agent(s); server JVMs %s; work dir %s%n",
                s.systems(), s.fanOuts(), s.producers(), s.warmupSeconds(), s.seconds(), s.rate(),
                s.latencyWarmupSeconds(), s.seconds(), s.quantity(), s.flush(),
                s.kafkaCommitLinger() == null ? "5 ms for throughput, 0 for latency" : s.kafkaCommitLinger() + " ms",
                s.topazAgents(), s.serverJvm(), dir);
        System.out.println("machine: " + Machine.describe());

        Map<String, MessagingPeer> peers = new LinkedHashMap<>();
        try {
            for (String system : s.systems()) {
                switch (system.trim()) {
                    case "kafka" -> peers.put("kafka", new KafkaPhases(dir.resolve("kafka"), s.flush(),
                            s.kafkaCommitLinger(), s.serverJvm(), SELLER_NICK, s.quantity()));
                    case "topaz" -> {
                        TopazCluster cluster = TopazCluster.start(s.repo(), dir.resolve("topaz"), s.topazAgents(),
                                s.serverJvm(), s.agentArgs());
                        try {
                            peers.put("topaz", TopazPeer.start(cluster, s.fanOuts(), SELLER_NICK, s.quantity(),
                                    s.idleMillis()));
                        } catch (Exception e) {
                            cluster.close();
                            throw e;
                        }
                    }
                    default -> throw new IllegalArgumentException("BENCH_MSG_SYSTEMS: unknown system '" + system + "'");
                }
            }
            List<Result[]> rows = new ArrayList<>();
            for (int fanOut : s.fanOuts()) {
                Map<String, Result> max = new LinkedHashMap<>();
                for (MessagingPeer peer : peers.values()) {
                    peer.prepare(MessagingPeer.Phase.THROUGHPUT);
                    Result r = throughput(peer, fanOut, s);
                    if (r.acked() == 0) {
                        throw new IllegalStateException(peer.name() + " acknowledged no produce (" + r.errors()
                                + " errors; the first ones are printed above)");
                    }
                    max.put(peer.name(), r);
                    System.out.printf(Locale.ROOT, "  %-6s %2d app(s) throughput: %,.0f msg/s acknowledged, ack p50 "
                                    + "%.2f ms p99 %.2f ms; delivered %d of %d; errors %d%n", peer.name(), fanOut,
                            r.ackedPerSecond(), ms(r.ack(), 50), ms(r.ack(), 99), r.received(), r.expected(),
                            r.errors());
                }
                double rate = "auto".equals(s.rate())
                        ? 0.5 * max.values().stream().mapToDouble(Result::ackedPerSecond).min().orElseThrow()
                        : Double.parseDouble(s.rate());
                for (MessagingPeer peer : peers.values()) {
                    peer.prepare(MessagingPeer.Phase.LATENCY);
                    Result r = latency(peer, fanOut, rate, s);
                    System.out.printf(Locale.ROOT, "  %-6s %2d app(s) latency at %,.0f msg/s (sent %,.0f/s): produce "
                                    + "-> consume p50 %.2f ms p99 %.2f ms max %.2f ms; delivered %d of %d; errors %d;"
                                    + " late sends %d%n", peer.name(), fanOut, rate, r.ackedPerSecond(),
                            ms(r.e2e(), 50), ms(r.e2e(), 99), r.e2e().getMaxValue() / 1000.0, r.received(),
                            r.expected(), r.errors(), r.late());
                    rows.add(new Result[] {max.get(peer.name()), r});
                }
            }
            table(rows, peers.keySet());
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

    /** Closed loop: {@code producers} threads, each waiting for its acknowledgement before the next message. */
    static Result throughput(MessagingPeer peer, int fanOut, Settings s) throws Exception {
        Window window = new Window();
        try (MessagingPeer.Cell cell = peer.open(fanOut, window)) {
            long start = System.nanoTime();
            long from = start + TimeUnit.SECONDS.toNanos(s.warmupSeconds());
            long to = from + TimeUnit.SECONDS.toNanos(s.seconds());
            window.set(from, to);
            Producers producers = new Producers(cell, s.producers());
            producers.run(from, to, false, 0, 0);
            window.drain(producers.acked.sum() * fanOut, s.drainSeconds());
            return new Result(peer.name(), fanOut, producers.inWindow.sum() / (double) s.seconds(), producers.ack,
                    window.e2e, 0, producers.acked.sum(), producers.acked.sum() * fanOut, window.received.sum(),
                    producers.errors.sum(), 0);
        }
    }

    /** Open loop at {@code rate} messages per second in total, spread evenly over the producer threads. */
    static Result latency(MessagingPeer peer, int fanOut, double rate, Settings s) throws Exception {
        Window window = new Window();
        try (MessagingPeer.Cell cell = peer.open(fanOut, window)) {
            long start = System.nanoTime();
            long from = start + TimeUnit.SECONDS.toNanos(s.latencyWarmupSeconds());
            long to = from + TimeUnit.SECONDS.toNanos(s.seconds());
            window.set(from, to);
            Producers producers = new Producers(cell, s.producers());
            long interval = (long) (1e9 / rate);
            producers.run(from, to, true, start, interval);
            window.drain(producers.acked.sum() * fanOut, s.drainSeconds());
            return new Result(peer.name(), fanOut, producers.inWindow.sum() / (double) s.seconds(), producers.ack,
                    window.e2e, rate, producers.acked.sum(), producers.acked.sum() * fanOut, window.received.sum(),
                    producers.errors.sum(), producers.late.sum());
        }
    }

    /** The consumers' side of a phase: every receipt counted, those sent in the measured window timed. */
    static final class Window implements MessagingPeer.Receipts {
        final Histogram e2e = new ConcurrentHistogram(HIGHEST_MICROS, 3);
        final LongAdder received = new LongAdder();
        private volatile long from = Long.MAX_VALUE;
        private volatile long to = Long.MIN_VALUE;

        void set(long from, long to) {
            this.from = from;
            this.to = to;
        }

        @Override
        public void received(String content) {
            long now = System.nanoTime();
            received.increment();
            long sent = Payload.sentNanos(content);
            if (sent >= from && sent < to) {
                e2e.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, (now - sent) / 1000)));
            }
        }

        /** Waits until {@code expected} receipts, {@code maxSeconds} passed, or 15 s without a new one. */
        void drain(long expected, int maxSeconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
            long last = received.sum();
            long progressAt = System.nanoTime();
            while (received.sum() < expected && System.nanoTime() < deadline) {
                Thread.sleep(50);
                long now = received.sum();
                if (now != last) {
                    last = now;
                    progressAt = System.nanoTime();
                } else if (System.nanoTime() - progressAt > TimeUnit.SECONDS.toNanos(15)) {
                    return;
                }
            }
        }
    }

    /** The producer threads of a phase. */
    static final class Producers {
        private static final AtomicLong SEQ = new AtomicLong();
        final Histogram ack = new ConcurrentHistogram(HIGHEST_MICROS, 3);
        final LongAdder acked = new LongAdder();
        final LongAdder inWindow = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LongAdder late = new LongAdder();
        private final MessagingPeer.Cell cell;
        private final int threads;

        Producers(MessagingPeer.Cell cell, int threads) {
            this.cell = cell;
            this.threads = threads;
        }

        /**
         * Runs the threads until {@code to}. Paced: thread i sends at {@code start + (i + k * threads) * interval};
         * a thread more than a second behind its schedule skips ahead to now (counted as late) instead of bursting.
         * Closed loop otherwise: back to back.
         */
        void run(long from, long to, boolean paced, long start, long interval) throws Exception {
            List<Thread> all = new ArrayList<>();
            List<Exception> failed = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int index = i;
                Thread t = new Thread(() -> {
                    try (MessagingPeer.Sender sender = cell.newSender()) {
                        long next = start + index * interval;
                        long step = threads * interval;
                        while (true) {
                            if (paced) {
                                long now = System.nanoTime();
                                if (next >= to) {
                                    break;
                                }
                                if (next > now) {
                                    LockSupport.parkNanos(next - now);
                                } else if (now - next > TimeUnit.SECONDS.toNanos(1)) {
                                    late.increment();
                                    next = now;
                                }
                                next += step;
                            } else if (System.nanoTime() >= to) {
                                break;
                            }
                            long sent = System.nanoTime();
                            String content = Payload.content(SEQ.incrementAndGet(), sent, SELLER_NICK);
                            try {
                                sender.send(content);
                            } catch (Exception e) {
                                if (errors.sum() < 5) {
                                    System.err.println("produce failed: " + e);
                                }
                                errors.increment();
                                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                                continue;
                            }
                            long done = System.nanoTime();
                            acked.increment();
                            if (done >= from && done < to) {
                                inWindow.increment();
                            }
                            if (sent >= from && sent < to) {
                                ack.recordValue(Math.min(HIGHEST_MICROS, (done - sent) / 1000));
                            }
                        }
                    } catch (Exception e) {
                        synchronized (failed) {
                            failed.add(e);
                        }
                    }
                }, "produce-" + i);
                t.setDaemon(true);
                t.start();
                all.add(t);
            }
            for (Thread t : all) {
                t.join();
            }
            if (!failed.isEmpty()) {
                throw failed.get(0);
            }
        }
    }

    static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
    }

    private static void table(List<Result[]> rows, java.util.Set<String> systems) {
        System.out.println();
        System.out.println("| apps | system | produce msg/s (acked) | ack p50 ms | ack p99 ms | paced msg/s (acked) | "
                + "produce→consume p50 ms | p99 ms | max ms | delivered |");
        System.out.println("|---:|---|---:|---:|---:|---:|---:|---:|---:|---|");
        Map<Integer, Map<String, Result[]>> byFanOut = new LinkedHashMap<>();
        for (Result[] r : rows) {
            byFanOut.computeIfAbsent(r[0].fanOut(), k -> new LinkedHashMap<>()).put(r[0].system(), r);
        }
        for (Map.Entry<Integer, Map<String, Result[]>> f : byFanOut.entrySet()) {
            for (Result[] r : f.getValue().values()) {
                Result max = r[0];
                Result lat = r[1];
                System.out.printf(Locale.ROOT, "| %d | %s | %,.0f | %.2f | %.2f | %,.0f (%,.0f) | %.2f | %.2f | %.1f | %s |%n",
                        f.getKey(), max.system(), max.ackedPerSecond(), ms(max.ack(), 50), ms(max.ack(), 99),
                        lat.targetRate(), lat.ackedPerSecond(), ms(lat.e2e(), 50), ms(lat.e2e(), 99), lat.e2e().getMaxValue() / 1000.0,
                        delivered(max) + " / " + delivered(lat));
            }
            Result[] t = f.getValue().get("topaz");
            Result[] k = f.getValue().get("kafka");
            if (t != null && k != null) {
                System.out.printf(Locale.ROOT, "| %d | ratio topaz / kafka | %.2f× | %.2f× | %.2f× | | %.2f× | %.2f× | | |%n",
                        f.getKey(), t[0].ackedPerSecond() / k[0].ackedPerSecond(), ms(t[0].ack(), 50) / ms(k[0].ack(), 50),
                        ms(t[0].ack(), 99) / ms(k[0].ack(), 99), ms(t[1].e2e(), 50) / ms(k[1].e2e(), 50),
                        ms(t[1].e2e(), 99) / ms(k[1].e2e(), 99));
            }
        }
        System.out.println("(delivered: every acknowledged message reached every app, throughput phase / latency phase;"
                + " ratios above 1 mean Topaz is higher: better for msg/s, worse for latency)");
    }

    private static String delivered(Result r) {
        return r.received() >= r.expected() ? "all" : r.received() + " of " + r.expected();
    }

    /** The machine the run took place on, for the docs. */
    static final class Machine {
        private Machine() {
        }

        static String describe() {
            String cpu = "?";
            try {
                cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                        .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
            } catch (Exception ignored) {
                // not Linux
            }
            String load = "?";
            try {
                load = Files.readString(Path.of("/proc/loadavg")).trim();
            } catch (Exception ignored) {
                // not Linux
            }
            return String.format(Locale.ROOT, "%s, %d cores, %.0f GiB, Java %s, load average %s", cpu,
                    Runtime.getRuntime().availableProcessors(),
                    ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                            .getOperatingSystemMXBean()).getTotalMemorySize() / (double) (1L << 30),
                    System.getProperty("java.version"), load);
        }
    }
}

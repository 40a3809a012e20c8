package io.topaz.bench.sync;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The order sync's benchmark ({@code scripts/bench-sync.sh}), in one run: the live sync at a fixed rate
 * ({@link LiveSyncBench}: sustained changes/s, lag p99, source reads and target writes against the naive one read and
 * one write per message) and the full reconciliation of many orders with a handful of differences against comparing
 * every row ({@link ReconBench}). Settings come from the environment (the script lists them).
 */
public final class SyncBench {

    private SyncBench() {
    }

    public static void main(String[] args) throws Exception {
        List<String> parts = List.of(env("BENCH_SYNC_PARTS", "live,recon").split(","));
        PrintStream out = System.out;
        LiveSyncBench.Result live = null;
        ReconBench.Result recon = null;
        if (parts.contains("live")) {
            Path dir = Files.createTempDirectory("topaz-bench-sync");
            live = LiveSyncBench.run(new LiveSyncBench.Settings(num("BENCH_SYNC_RATE", 5000),
                    num("BENCH_SYNC_WARMUP", 15), num("BENCH_SYNC_SECONDS", 60), num("BENCH_SYNC_SELLERS", 1000),
                    Double.parseDouble(env("BENCH_SYNC_SKEW", "1.1")), num("BENCH_SYNC_OPEN_PER_SELLER", 20),
                    num("BENCH_SYNC_AGENTS", 1), List.of(env("BENCH_SYNC_AGENT_JVM_OPTS",
                            "-Xms512m -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20").split(" ")), Path.of(env("TOPAZ_REPO", ".")).toAbsolutePath().normalize(),
                    dir, Double.parseDouble(env("BENCH_SYNC_BURST", "0.5")),
                    Boolean.parseBoolean(env("BENCH_SYNC_BACKLOG", "false"))), out);
        }
        if (parts.contains("recon")) {
            recon = ReconBench.run(num("BENCH_SYNC_ORDERS", 1_000_000),
                    Boolean.parseBoolean(env("BENCH_SYNC_COVERING_INDEX", "true")), out);
        }
        out.println();
        out.println("== order sync benchmark ==");
        if (live != null) {
            LiveSyncBench.print(live, out);
        }
        if (recon != null) {
            ReconBench.print(recon, out);
        }
        System.exit(0);
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private static int num(String name, int fallback) {
        String v = env(name, Integer.toString(fallback));
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number (got '" + v + "')");
        }
    }
}

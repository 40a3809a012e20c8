package io.topaz.bench.store;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.topaz.agent.broker.store.Durability;
import io.topaz.agent.broker.store.LogStore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The log store's benchmarks, in one run on one disk (the temp directory, or the first argument):
 * <ol>
 *   <li>append throughput of 1 KiB records with group commit, writers waiting for durability, beside a plain Java
 *       sequential writer that forces as often (every 2 ms) — the disk's raw bandwidth at that sync rate;</li>
 *   <li>start-up time with 1,000,000 keys, from hint files and by scanning every record.</li>
 * </ol>
 * Run: {@code scripts/bench-store.sh [dir]}.
 */
public final class StoreBench {

    private StoreBench() {
    }

    public static void main(String[] args) throws Exception {
        Path base = Files.createTempDirectory(args.length > 0 ? Path.of(args[0]) : Path.of(System.getProperty("java.io.tmpdir")),
                "topaz-store-bench");
        try {
            appends(base);
            startup(base);
        } finally {
            delete(base);
        }
    }

    private static void appends(Path base) throws Exception {
        int seconds = 10;
        byte[] value = new byte[1024 - 40];
        // raw: one writer thread appending 1 KiB blocks to a file, forcing every 2 ms
        Path raw = base.resolve("raw.bin");
        long rawBytes = 0;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        try (FileChannel ch = FileChannel.open(raw, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ByteBuffer block = ByteBuffer.allocateDirect(1024);
            long nextSync = System.nanoTime() + 2_000_000;
            while (System.nanoTime() < end) {
                block.clear();
                rawBytes += ch.write(block);
                if (System.nanoTime() >= nextSync) {
                    ch.force(false);
                    nextSync = System.nanoTime() + 2_000_000;
                }
            }
            ch.force(false);
        }
        double rawMBs = rawBytes / 1e6 / seconds;

        Path storeDir = base.resolve("appends");
        AtomicLong done = new AtomicLong();
        int writers = 4;
        try (LogStore store = LogStore.open(storeDir, new LogStore.Options(256 * 1024 * 1024, Durability.GROUP_COMMIT,
                Duration.ofMillis(2)), Clock.systemUTC(), new SimpleMeterRegistry())) {
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            long stop = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            List<CompletableFuture<?>> all = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int id = w;
                all.add(CompletableFuture.runAsync(() -> {
                    long i = 0;
                    List<CompletableFuture<Durability>> inFlight = new ArrayList<>();
                    while (System.nanoTime() < stop) {
                        inFlight.add(store.put("w" + id + "-" + i++, value));
                        if (inFlight.size() == 256) { // a writer with 256 appends waiting for durability at most
                            inFlight.forEach(CompletableFuture::join);
                            done.addAndGet(inFlight.size());
                            inFlight.clear();
                        }
                    }
                    inFlight.forEach(CompletableFuture::join);
                    done.addAndGet(inFlight.size());
                }, pool));
            }
            all.forEach(CompletableFuture::join);
            pool.shutdown();
        }
        double storeMBs = done.get() * 1024 / 1e6 / seconds;
        System.out.printf(Locale.ROOT, "raw sequential writer, force every 2 ms   %8.1f MB/s%n", rawMBs);
        System.out.printf(Locale.ROOT, "log store, 1 KiB records, group commit    %8.1f MB/s  (%,d durable appends/s)%n",
                storeMBs, done.get() / seconds);
        System.out.printf(Locale.ROOT, "store / raw                               %8.0f %%  (target >= 50 %%)%n",
                100 * storeMBs / rawMBs);
    }

    private static void startup(Path base) throws Exception {
        Path dir = base.resolve("startup");
        int keys = 1_000_000;
        byte[] value = new byte[100];
        try (LogStore store = LogStore.open(dir, new LogStore.Options(64 * 1024 * 1024, Durability.OS, Duration.ofMillis(2)),
                Clock.systemUTC(), new SimpleMeterRegistry())) {
            for (int i = 0; i < keys; i++) {
                store.put("message-" + i, value);
            }
        }
        long t0 = System.nanoTime();
        int hints;
        try (LogStore store = LogStore.open(dir, LogStore.Options.defaults(), Clock.systemUTC(), new SimpleMeterRegistry())) {
            hints = store.hintsRead();
            check(store.size(), keys);
        }
        double withHints = (System.nanoTime() - t0) / 1e9;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(p -> p.toString().endsWith(".hint")).toList()) {
                Files.delete(p);
            }
        }
        long t1 = System.nanoTime();
        try (LogStore store = LogStore.open(dir, LogStore.Options.defaults(), Clock.systemUTC(), new SimpleMeterRegistry())) {
            check(store.size(), keys);
        }
        double scanning = (System.nanoTime() - t1) / 1e9;
        System.out.printf(Locale.ROOT, "start-up with %,d keys, from hints (%d)    %8.2f s  (target <= 2 s)%n", keys, hints,
                withHints);
        System.out.printf(Locale.ROOT, "start-up with %,d keys, scanning records  %8.2f s%n", keys, scanning);

        // random reads through the key directory (values in the page cache: the store's own cost)
        try (LogStore store = LogStore.open(dir, LogStore.Options.defaults(), Clock.systemUTC(), new SimpleMeterRegistry())) {
            org.HdrHistogram.Histogram h = new org.HdrHistogram.Histogram(3);
            java.util.SplittableRandom r = new java.util.SplittableRandom(1);
            for (int i = 0; i < 2_000_000; i++) { // warm-up and measure in one: the first half is not recorded
                String k = "message-" + r.nextInt(keys);
                long t = System.nanoTime();
                if (store.get(k).isEmpty()) {
                    throw new IllegalStateException(k + " missing");
                }
                if (i >= 1_000_000) {
                    h.recordValue(System.nanoTime() - t);
                }
            }
            System.out.printf(Locale.ROOT, "random read, 1,000,000 keys: mean %.0f ns, p50 %d ns, p99 %d ns%n",
                    h.getMean(), h.getValueAtPercentile(50), h.getValueAtPercentile(99));
        }
    }

    private static void check(int size, int keys) {
        if (size != keys) {
            throw new IllegalStateException("expected " + keys + " keys, found " + size);
        }
    }

    private static void delete(Path base) throws IOException {
        try (Stream<Path> all = Files.walk(base)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

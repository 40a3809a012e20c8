package io.topaz.agent.broker.store;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MergeTest {

    @TempDir
    Path dir;

    private LogStore open(Path d) {
        return LogStore.open(d, new LogStore.Options(32 * 1024, Durability.OS, Duration.ofMillis(1)), Clock.systemUTC(),
                new SimpleMeterRegistry());
    }

    private static byte[] value(String key, int version) {
        return LogStoreTest.valueFor(key + "#" + version);
    }

    @Test
    void mergeUnderConcurrentWritesAndReadsKeepsEveryLiveKey() throws Exception {
        Map<String, Integer> model = new ConcurrentHashMap<>(); // key -> version, absent = deleted
        CopyOnWriteArrayList<String> problems = new CopyOnWriteArrayList<>();
        try (LogStore s = open(dir)) {
            for (int i = 0; i < 400; i++) {
                String k = "k" + (i % 100);
                s.put(k, value(k, i));
                model.put(k, i);
            }
            AtomicBoolean stop = new AtomicBoolean();
            Thread writer = new Thread(() -> {
                int v = 1000;
                while (!stop.get()) {
                    String k = "k" + ThreadLocalRandom.current().nextInt(100);
                    synchronized (model) {
                        if (ThreadLocalRandom.current().nextInt(10) == 0) {
                            s.delete(k);
                            model.remove(k);
                        } else {
                            s.put(k, value(k, ++v));
                            model.put(k, v);
                        }
                    }
                }
            });
            Thread reader = new Thread(() -> {
                while (!stop.get()) {
                    String k = "k" + ThreadLocalRandom.current().nextInt(100);
                    try {
                        Optional<byte[]> got = s.get(k);
                        if (got.isPresent() && got.get().length < 100) {
                            problems.add(k + " read a short value");
                        }
                    } catch (RuntimeException e) {
                        problems.add(k + ": " + e);
                    }
                }
            });
            writer.start();
            reader.start();
            for (int round = 0; round < 5; round++) {
                LogStore.MergeReport r = s.merge();
                assertThat(r.inputs()).isPositive();
            }
            stop.set(true);
            writer.join(10_000);
            reader.join(10_000);
            assertThat(problems).isEmpty();
            synchronized (model) {
                for (int i = 0; i < 100; i++) {
                    String k = "k" + i;
                    Integer v = model.get(k);
                    if (v == null) {
                        assertThat(s.get(k)).as(k).isEmpty();
                    } else {
                        assertThat(s.get(k)).as(k).hasValueSatisfying(b -> assertThat(b).isEqualTo(value(k, v)));
                    }
                }
            }
            LogStore.MergeReport last = s.merge();
            assertThat(last.bytesAfter()).isLessThan(last.bytesBefore());
        }
        try (LogStore s = open(dir)) {
            for (int i = 0; i < 100; i++) {
                String k = "k" + i;
                Integer v = model.get(k);
                if (v == null) {
                    assertThat(s.get(k)).as(k).isEmpty();
                } else {
                    assertThat(s.get(k)).as(k).hasValueSatisfying(b -> assertThat(b).isEqualTo(value(k, v)));
                }
            }
        }
    }

    @Test
    void backgroundMergingReclaimsDeadRecordsAndTheFutureNamesThePromise() throws Exception {
        try (LogStore s = open(dir.resolve("bg"))) {
            for (int i = 0; i < 2_000; i++) {
                assertThat(s.put("b" + (i % 20), value("b", i)).get(5, TimeUnit.SECONDS)).isEqualTo(Durability.OS);
            }
            long files;
            try (Stream<Path> f = Files.list(dir.resolve("bg"))) {
                files = f.filter(p -> p.toString().endsWith(".data")).count();
            }
            assertThat(files).isGreaterThan(10);
            s.mergeInBackground(Duration.ofMillis(10), 0.5);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
                try (Stream<Path> f = Files.list(dir.resolve("bg"))) {
                    return f.filter(p -> p.toString().endsWith(".data")).count() <= 3;
                }
            });
            for (int i = 0; i < 20; i++) {
                int last = 1_980 + i;
                assertThat(s.get("b" + i)).hasValueSatisfying(b -> assertThat(b).isEqualTo(value("b", last)));
            }
        }
    }

    @Test
    void aMergeAbortsOnARecordItCannotReadAndDeletesNoSegmentStillInUse() throws Exception {
        try (LogStore s = open(dir)) {
            for (int i = 0; i < 200; i++) {
                s.put("u" + i, value("u", i)).get(5, TimeUnit.SECONDS); // every key once: every record is live
            }
            Path input;
            try (Stream<Path> files = Files.list(dir)) {
                input = files.filter(p -> p.toString().endsWith(".data")).sorted().toList().get(1);
            }
            // Damage one record in the middle of a sealed segment, through the page cache the store maps.
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(input,
                    java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(new byte[] {0x77, 0x77}), ch.size() / 2);
            }
            assertThatThrownBy(s::merge).as("the merge refuses to drop what it cannot read").isNotNull();
            int readable = 0;
            for (int i = 0; i < 200; i++) {
                try {
                    if (s.get("u" + i).isPresent()) {
                        readable++;
                    }
                } catch (CorruptRecordException expected) {
                    // the damaged record itself
                }
            }
            assertThat(readable).as("only the damaged record is lost").isGreaterThanOrEqualTo(198);
        }
    }

    @Test
    void aFailedMergeRemovesItsOutputsSoNoDeletedKeyComesBack() throws Exception {
        // Segments of 1 KiB holding one record each: a merge of 1,000 of them needs more outputs than its id range
        // holds, so it fails after writing (and, before the fix, renaming) hundreds of outputs.
        Path d = dir.resolve("fail");
        LogStore.Options small = new LogStore.Options(1024, Durability.OS, Duration.ofMillis(1));
        try (LogStore s = LogStore.open(d, small, Clock.systemUTC(), new SimpleMeterRegistry())) {
            for (int i = 0; i < 1_002; i++) {
                s.put("r" + i, new byte[700]);
            }
            assertThatThrownBy(s::merge).isInstanceOf(IllegalStateException.class);
            for (int i = 0; i < 1_002; i++) {
                s.delete("r" + i);
            }
            s.put("roll", new byte[700]); // seals the segment holding the last tombstones
            s.merge();
        }
        try (LogStore s = LogStore.open(d, small, Clock.systemUTC(), new SimpleMeterRegistry())) {
            for (int i = 0; i < 1_002; i++) {
                assertThat(s.get("r" + i)).as("r" + i + " was deleted").isEmpty();
            }
        }
    }

    @Test
    void aCrashOrPowerLossAtEveryStepOfAMergeLosesNothingAndResurrectsNothing() {
        LogStore.Options options = new LogStore.Options(32 * 1024, Durability.SYNC_EACH, Duration.ofMillis(1));
        Path d = Path.of("/merge");
        for (boolean powerLoss : new boolean[] {false, true}) {
            boolean completed = false;
            for (int step = 0; !completed; step++) {
                FaultInjectingStorage storage = new FaultInjectingStorage(new java.util.Random(step),
                        FaultInjectingStorage.Loss.RANDOM);
                Map<String, Integer> model = new java.util.HashMap<>();
                try (LogStore s = LogStore.open(storage, d, options, Clock.systemUTC(), new SimpleMeterRegistry())) {
                    for (int i = 0; i < 600; i++) {
                        String k = "m" + (i % 150);
                        s.put(k, value(k, i)).join();
                        model.put(k, i);
                    }
                    for (int i = 0; i < 150; i += 7) { // deleted keys whose old values sit in older segments
                        s.delete("m" + i).join();
                        model.remove("m" + i);
                    }
                } // closed: the hints are written, so the steps below are the merge's own
                try (LogStore s = LogStore.open(storage, d, options, Clock.systemUTC(), new SimpleMeterRegistry())) {
                    storage.losePowerAfter(step);
                    try {
                        s.merge();
                        completed = true;
                    } catch (RuntimeException crashed) {
                        assertThat(storage.powerLost()).as("step %d: %s", step, crashed).isTrue();
                    }
                }
                FaultInjectingStorage rebooted = powerLoss ? storage.afterPowerLoss() : storage.afterCrash();
                String at = (powerLoss ? "power loss" : "crash") + " at step " + step;
                try (LogStore after = LogStore.open(rebooted, d, options, Clock.systemUTC(), new SimpleMeterRegistry())) {
                    checkModel(after, model, at);
                    LogStore.MergeReport r = after.merge(); // and a later merge completes the job
                    assertThat(r.inputs()).as(at).isPositive();
                    checkModel(after, model, at + ", merged again");
                    assertThat(after.size()).as(at).isEqualTo(model.size());
                }
                assertThat(rebooted.list(d)).as(at).noneMatch(n -> n.endsWith(".tmp"));
            }
        }
    }

    private static void checkModel(LogStore s, Map<String, Integer> model, String at) {
        for (int i = 0; i < 150; i++) {
            String k = "m" + i;
            Integer v = model.get(k);
            if (v == null) {
                assertThat(s.get(k)).as(at + ": " + k + " stays deleted").isEmpty();
            } else {
                assertThat(s.get(k)).as(at + ": " + k).hasValueSatisfying(b -> assertThat(b).isEqualTo(value(k, v)));
            }
        }
    }
}

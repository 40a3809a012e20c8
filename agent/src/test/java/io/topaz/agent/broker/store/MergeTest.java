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
    void aCrashAtAnyStepOfAMergeLosesNothingAndResurrectsNothing() throws Exception {
        for (String step : new String[] {"output-sealed", "outputs-written", "deleting-input-0", "deleting-input-1", "deleting-input-3"}) {
            Path d = dir.resolve(step);
            Map<String, Integer> model = new ConcurrentHashMap<>();
            LogStore s = open(d);
            for (int i = 0; i < 600; i++) {
                String k = "m" + (i % 150);
                s.put(k, value(k, i)).get(5, TimeUnit.SECONDS);
                model.put(k, i);
            }
            for (int i = 0; i < 150; i += 7) { // deleted keys whose old values sit in older segments
                s.delete("m" + i).get(5, TimeUnit.SECONDS);
                model.remove("m" + i);
            }
            s.mergeStep = at -> {
                if (at.equals(step)) {
                    throw new IllegalStateException("crash at " + at);
                }
            };
            assertThatThrownBy(s::merge).hasMessageContaining("crash at " + step);
            // the process "dies" here: nothing more is written or cleaned up; a new store opens the directory
            try (LogStore after = open(d)) {
                for (int i = 0; i < 150; i++) {
                    String k = "m" + i;
                    Integer v = model.get(k);
                    if (v == null) {
                        assertThat(after.get(k)).as(step + ": " + k + " stays deleted").isEmpty();
                    } else {
                        assertThat(after.get(k)).as(step + ": " + k)
                                .hasValueSatisfying(b -> assertThat(b).isEqualTo(value(k, v)));
                    }
                }
                LogStore.MergeReport r = after.merge(); // and a later merge completes the job
                assertThat(r.inputs()).isPositive();
                assertThat(after.size()).isEqualTo(model.size());
            }
            try (Stream<Path> files = Files.list(d)) {
                assertThat(files.filter(p -> p.toString().endsWith(".tmp"))).isEmpty();
            }
        }
    }
}

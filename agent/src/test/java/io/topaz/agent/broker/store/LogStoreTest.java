package io.topaz.agent.broker.store;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogStoreTest {

    @TempDir
    Path dir;

    static byte[] valueFor(String key) {
        byte[] v = new byte[100 + Math.floorMod(key.hashCode(), 900)];
        new Random(key.hashCode()).nextBytes(v);
        return v;
    }

    private LogStore open(Durability d) {
        return LogStore.open(dir, new LogStore.Options(64 * 1024, d, Duration.ofMillis(1)), Clock.systemUTC(),
                new SimpleMeterRegistry());
    }

    @Test
    void putGetDeleteSurviveReopenAcrossSegments() throws Exception {
        try (LogStore s = open(Durability.SYNC_EACH)) {
            for (int i = 0; i < 500; i++) {
                s.put("k" + i, valueFor("k" + i)).get(5, TimeUnit.SECONDS);
            }
            s.put("k7", valueFor("changed")).get(5, TimeUnit.SECONDS);
            s.delete("k8").get(5, TimeUnit.SECONDS);
            assertThat(s.get("k8")).isEmpty();
        }
        assertThat(segments()).hasSizeGreaterThan(3);
        try (LogStore s = open(Durability.GROUP_COMMIT)) {
            assertThat(s.hintsRead()).isEqualTo(segments().size() - 1); // every sealed segment from its hint
            assertThat(s.size()).isEqualTo(499);
            assertThat(s.get("k1")).hasValueSatisfying(v -> assertThat(v).isEqualTo(valueFor("k1")));
            assertThat(s.get("k7")).hasValueSatisfying(v -> assertThat(v).isEqualTo(valueFor("changed")));
            assertThat(s.get("k8")).isEmpty();
            s.put("after", valueFor("after")).get(5, TimeUnit.SECONDS);
        }
        try (LogStore s = open(Durability.OS)) {
            assertThat(s.get("after")).isPresent();
        }
    }

    @Test
    void aBadHintIsIgnoredAndTheSegmentScanned() throws Exception {
        try (LogStore s = open(Durability.SYNC_EACH)) {
            for (int i = 0; i < 300; i++) {
                s.put("h" + i, valueFor("h" + i)).get(5, TimeUnit.SECONDS);
            }
            s.delete("h3").get(5, TimeUnit.SECONDS);
        }
        List<Path> hints;
        try (Stream<Path> files = Files.list(dir)) {
            hints = files.filter(p -> p.toString().endsWith(".hint")).sorted().toList();
        }
        assertThat(hints).isNotEmpty();
        byte[] b = Files.readAllBytes(hints.get(0));
        b[b.length / 2] ^= 0x40;
        Files.write(hints.get(0), b);
        Files.delete(hints.get(hints.size() - 1));
        try (LogStore s = open(Durability.SYNC_EACH)) {
            assertThat(s.hintsRead()).isEqualTo(hints.size() - 2);
            assertThat(s.size()).isEqualTo(299);
            for (int i = 0; i < 300; i++) {
                if (i != 3) {
                    assertThat(s.get("h" + i)).as("h" + i).hasValueSatisfying(v -> assertThat(v).isNotEmpty());
                }
            }
        }
    }

    @Test
    void aTornTailIsCutAndTheStoreGoesOn() throws Exception {
        try (LogStore s = open(Durability.SYNC_EACH)) {
            for (int i = 0; i < 20; i++) {
                s.put("t" + i, valueFor("t" + i)).get(5, TimeUnit.SECONDS);
            }
        }
        Path newest = segments().get(segments().size() - 1);
        // A torn write: a header promising more bytes than were written, right after the last record.
        int end = endOfData(newest);
        try (FileChannel ch = FileChannel.open(newest, StandardOpenOption.WRITE)) {
            ByteBuffer torn = ByteBuffer.allocate(24).putInt(12345).putLong(1L).putInt(10).putInt(5000);
            ch.write(torn.flip(), end);
        }
        try (LogStore s = open(Durability.SYNC_EACH)) {
            assertThat(s.size()).isEqualTo(20);
            s.put("next", valueFor("next")).get(5, TimeUnit.SECONDS);
        }
        try (LogStore s = open(Durability.SYNC_EACH)) {
            assertThat(s.get("next")).hasValueSatisfying(v -> assertThat(v).isEqualTo(valueFor("next")));
            assertThat(s.get("t19")).isPresent();
        }
        // The torn header was cut, not kept behind the new record: the data ends right after "next".
        byte[] after = Files.readAllBytes(newest);
        int endNow = endOfData(newest);
        assertThat(endNow).isEqualTo(end + RecordCodec.size("next".getBytes(StandardCharsets.UTF_8), valueFor("next")));
        for (int i = endNow; i < Math.min(after.length, endNow + 4096); i++) {
            assertThat(after[i]).as("byte %d after the data", i).isZero();
        }
    }

    @Test
    void flippedBytesAreDetectedAndNeverReturned() throws Exception {
        Random random = new Random(42);
        for (int round = 0; round < 20; round++) {
            Path d = dir.resolve("r" + round);
            List<String> keys = new ArrayList<>();
            try (LogStore s = LogStore.open(d, new LogStore.Options(16 * 1024, Durability.SYNC_EACH, Duration.ofMillis(1)),
                    Clock.systemUTC(), new SimpleMeterRegistry())) {
                for (int i = 0; i < 100; i++) {
                    String k = "f" + round + "-" + i;
                    keys.add(k);
                    s.put(k, valueFor(k)).get(5, TimeUnit.SECONDS);
                }
            }
            List<Path> segs;
            try (Stream<Path> files = Files.list(d)) {
                segs = files.filter(p -> p.toString().endsWith(".data")).sorted().toList();
            }
            Path closed = segs.get(random.nextInt(segs.size() - 1)); // a sealed segment
            byte[] bytes = Files.readAllBytes(closed);
            int at = random.nextInt(bytes.length);
            bytes[at] ^= (byte) (1 + random.nextInt(255));
            Files.write(closed, bytes);
            try (LogStore s = LogStore.open(d, new LogStore.Options(16 * 1024, Durability.SYNC_EACH, Duration.ofMillis(1)),
                    Clock.systemUTC(), new SimpleMeterRegistry())) {
                int lost = 0;
                for (String k : keys) {
                    java.util.Optional<byte[]> v;
                    try {
                        v = s.get(k); // never a corrupt value: present and intact, absent, or refused
                    } catch (CorruptRecordException detected) {
                        lost++;
                        continue;
                    }
                    if (v.isPresent()) {
                        assertThat(v.get()).as(k).isEqualTo(valueFor(k));
                    } else {
                        lost++;
                    }
                }
                assertThat(lost).as("round %d: the flipped record is not returned", round).isPositive();
            }
        }
    }

    @Test
    void aRecordCorruptedWhileOpenFailsItsReadInsteadOfReturningBadBytes() throws Exception {
        try (LogStore s = open(Durability.SYNC_EACH)) {
            s.put("victim", valueFor("victim")).get(5, TimeUnit.SECONDS);
            Path seg = segments().get(0);
            try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(new byte[] {0x5a}), RecordCodec.HEADER + 10);
            }
            assertThatThrownBy(() -> s.get("victim")).isInstanceOf(CorruptRecordException.class)
                    .hasMessageContaining("CRC");
        }
    }

    @Test
    void crashedWritersLoseNothingTheyWereToldWasDurable() throws Exception {
        Random random = new Random();
        Path store = dir.resolve("crash");
        List<String> durable = new ArrayList<>();
        for (int run = 0; run < 50; run++) {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                    CrashWriter.class.getName(), store.toString(), "g" + run)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            int target = 20 + random.nextInt(400);
            int seen = 0;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("D ")) {
                        durable.add(line.substring(2));
                        if (++seen >= target) {
                            break;
                        }
                    }
                }
                p.destroyForcibly(); // SIGKILL, in the middle of appends
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(seen).as("run %d: the writer reported durable records", run).isEqualTo(target);
        }
        try (LogStore s = LogStore.open(store, new LogStore.Options(256 * 1024, Durability.GROUP_COMMIT, Duration.ofMillis(2)),
                Clock.systemUTC(), new SimpleMeterRegistry())) {
            for (String k : durable) {
                assertThat(s.get(k)).as(k).hasValueSatisfying(v -> assertThat(v).isEqualTo(valueFor(k)));
            }
        }
    }

    @Test
    void aFlippedBitInTheActiveSegmentKeepsEveryValidRecordAfterIt() throws Exception {
        try (LogStore s = open(Durability.SYNC_EACH)) {
            for (int i = 0; i < 20; i++) {
                s.put("a" + i, valueFor("a" + i)).get(5, TimeUnit.SECONDS);
            }
        }
        Path active = segments().get(segments().size() - 1);
        int damagedAt = offsetOfRecord(active, 5) + RecordCodec.HEADER + 3; // inside record 5's key or value
        byte[] bytes = Files.readAllBytes(active);
        bytes[damagedAt] ^= 0x01;
        Files.write(active, bytes);
        try (LogStore s = open(Durability.SYNC_EACH)) {
            for (int i = 0; i < 20; i++) {
                String k = "a" + i;
                if (i != 5) {
                    assertThat(s.get(k)).as(k + ", forced before the flip").hasValueSatisfying(
                            v -> assertThat(v).isEqualTo(valueFor(k)));
                }
            }
            assertThat(s.get("a5")).isEmpty();
            s.put("later", valueFor("later")).get(5, TimeUnit.SECONDS);
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("the damaged bytes, copied aside")
                    .anyMatch(n -> n.startsWith(active.getFileName() + ".damaged-"));
        }
        try (LogStore s = open(Durability.SYNC_EACH)) {
            assertThat(s.get("a19")).isPresent();
            assertThat(s.get("later")).hasValueSatisfying(v -> assertThat(v).isEqualTo(valueFor("later")));
        }
    }

    @Test
    void aHintOfAnotherSegmentIsIgnoredAndNoKeyReadsAnotherKeysValue() throws Exception {
        List<String> keys = new ArrayList<>();
        try (LogStore s = open(Durability.SYNC_EACH)) {
            for (int i = 0; i < 300; i++) {
                keys.add("x" + i);
                s.put("x" + i, valueFor("x" + i)).get(5, TimeUnit.SECONDS);
            }
        }
        List<Path> hints;
        try (Stream<Path> files = Files.list(dir)) {
            hints = files.filter(p -> p.toString().endsWith(".hint")).sorted().toList();
        }
        assertThat(hints).hasSizeGreaterThanOrEqualTo(2);
        Files.copy(hints.get(0), hints.get(1), java.nio.file.StandardCopyOption.REPLACE_EXISTING); // a foreign hint
        try (LogStore s = open(Durability.SYNC_EACH)) {
            for (String k : keys) {
                java.util.Optional<byte[]> v;
                try {
                    v = s.get(k);
                } catch (CorruptRecordException refused) {
                    continue; // refusing is allowed; returning another key's value is not
                }
                assertThat(v).as(k).hasValueSatisfying(b -> assertThat(b).isEqualTo(valueFor(k)));
            }
            assertThat(s.size()).isEqualTo(300);
        }
    }

    @Test
    void appendsWaitingForAGroupCommitAreBoundedAndTheExcessFailsFast() throws Exception {
        // A commit interval no test outlives: nothing is forced until close, so every append waits.
        try (LogStore s = LogStore.open(dir, new LogStore.Options(64 * 1024 * 1024, Durability.GROUP_COMMIT,
                Duration.ofHours(1)), Clock.systemUTC(), new SimpleMeterRegistry())) {
            List<java.util.concurrent.CompletableFuture<Durability>> futures = new ArrayList<>();
            java.util.concurrent.CompletableFuture<Durability> refused = null;
            for (int i = 0; i < 200_000 && refused == null; i++) {
                java.util.concurrent.CompletableFuture<Durability> f = s.put("w" + i, new byte[8]);
                if (f.isCompletedExceptionally()) {
                    refused = f;
                } else {
                    futures.add(f);
                }
            }
            assertThat(refused).as("an append past the bound fails at once").isNotNull();
            assertThatThrownBy(refused::join).hasMessageContaining("overloaded");
            assertThat(futures).hasSizeLessThan(200_000).noneMatch(java.util.concurrent.CompletableFuture::isDone);
        }
    }

    private static int offsetOfRecord(Path segment, int index) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(segment));
        int offset = 0;
        for (int i = 0; i < index && RecordCodec.read(b, offset, b.capacity()) instanceof RecordCodec.Ok ok; i++) {
            offset += ok.record().size();
        }
        return offset;
    }

    private List<Path> segments() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".data")).sorted().toList();
        }
    }

    private static int endOfData(Path segment) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(segment));
        int offset = 0;
        while (RecordCodec.read(b, offset, b.capacity()) instanceof RecordCodec.Ok ok) {
            offset += ok.record().size();
        }
        return offset;
    }
}

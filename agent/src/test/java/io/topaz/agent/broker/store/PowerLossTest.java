package io.topaz.agent.broker.store;

import ch.qos.logback.classic.Level;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Random workloads — appends, deletes, merges, clean reopens — on a {@link FaultInjectingStorage} that loses power at
 * a random operation (inside a roll, a merge, a hint write, a force…), then recovery on what the disk kept. After
 * each power loss: every put or delete whose future completed (under {@code SYNC_EACH} or {@code GROUP_COMMIT}) is
 * there, unless a later operation on the same key may have replaced it; no deleted key comes back; no value is ever
 * anything that was not written. A failure names its seed; rerun one with {@code -Dpowerloss.seed=<seed>}.
 */
class PowerLossTest {

    private static final Path DIR = Path.of("/store");
    private static final int RUNS = 1000;
    private static final String[] KEYS = new String[24];

    static {
        for (int i = 0; i < KEYS.length; i++) {
            KEYS[i] = "key-" + i;
        }
    }

    private static ch.qos.logback.classic.Logger storeLog;
    private static Level levelBefore;

    @BeforeAll
    static void quiet() { // each run logs its power loss and recovery; 250 of them say nothing a failure would not
        storeLog = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.topaz.agent.broker.store");
        levelBefore = storeLog.getLevel();
        if (System.getProperty("powerloss.seed") == null) {
            storeLog.setLevel(Level.OFF);
        }
    }

    @AfterAll
    static void restore() {
        storeLog.setLevel(levelBefore);
    }

    /** One put or delete of a key; {@code value} null for a delete. */
    private record Op(byte[] value, CompletableFuture<Durability> done) {
        boolean acknowledged() {
            return done.isDone() && !done.isCompletedExceptionally();
        }
    }

    @Test
    void everyAcknowledgedWriteSurvivesAPowerLossAndNothingDeletedOrCorruptComesBack() throws Exception {
        String only = System.getProperty("powerloss.seed");
        long first = only != null ? Long.parseLong(only) : new Random().nextLong();
        int runs = only != null ? 1 : Integer.getInteger("powerloss.runs", RUNS);
        for (int run = 0; run < runs; run++) {
            long seed = first + run;
            try {
                runOnce(new Random(seed));
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("power-loss run failed; rerun with -Dpowerloss.seed=" + seed, e);
            }
        }
    }

    private void runOnce(Random random) throws Exception {
        Durability durability = random.nextBoolean() ? Durability.SYNC_EACH : Durability.GROUP_COMMIT;
        LogStore.Options options = new LogStore.Options(4096, durability, Duration.ofMillis(1));
        FaultInjectingStorage storage = new FaultInjectingStorage(random,
                random.nextInt(3) == 0 ? FaultInjectingStorage.Loss.DROP : FaultInjectingStorage.Loss.RANDOM);
        Map<String, List<Op>> history = new HashMap<>(); // per key, since its last state known durable
        List<Op> all = new ArrayList<>();
        int version = 0;
        for (int phase = 0; phase < 3; phase++) {
            storage.losePowerAfter(random.nextInt(phase == 0 ? 150 : 60));
            LogStore store = openOrNull(storage, options);
            int ops = 40 + random.nextInt(120);
            for (int i = 0; i < ops && store != null && !storage.powerLost(); i++) {
                int what = random.nextInt(100);
                String key = KEYS[random.nextInt(KEYS.length)];
                if (what < 65) {
                    byte[] value = valueOf(key, ++version, random);
                    Op op = new Op(value, store.put(key, value));
                    trace("put " + key + " v" + version + " -> " + op.done());
                    history.computeIfAbsent(key, k -> new ArrayList<>()).add(op);
                    all.add(op);
                } else if (what < 82) {
                    Op op = new Op(null, store.delete(key));
                    trace("delete " + key + " -> " + op.done());
                    history.computeIfAbsent(key, k -> new ArrayList<>()).add(op);
                    all.add(op);
                } else if (what < 90) {
                    waitFor(all.isEmpty() ? null : all.get(all.size() - 1));
                } else if (what < 96) {
                    try {
                        store.merge();
                    } catch (RuntimeException powerLoss) {
                        // checked after recovery
                    }
                } else {
                    store.close(); // a clean restart: everything acknowledged
                    store = openOrNull(storage, options);
                }
            }
            if (store != null && !storage.powerLost() && random.nextBoolean()) {
                // the writer waits for its last append, then the power goes: under GROUP_COMMIT that acknowledgement
                // rests on the committer's force alone (no roll or close forces the segment first), so a commit
                // that completes futures without forcing loses acknowledged appends here
                waitFor(all.isEmpty() ? null : all.get(all.size() - 1));
            }
            trace("power loss");
            FaultInjectingStorage rebooted = storage.afterPowerLoss(); // now, whatever the old store was doing
            if (store != null) {
                store.close(); // only stops its threads: with the power gone nothing more reaches the disk
            }
            storage = rebooted;
            try (LogStore after = LogStore.open(storage, DIR, options, Clock.systemUTC(), new SimpleMeterRegistry())) {
                check(after, history);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\nfiles after the power loss:\n" + dump(storage), e);
            }
        }
    }

    private static void trace(String what) {
        if (Boolean.getBoolean("powerloss.trace")) {
            System.out.println(what);
        }
    }

    private static LogStore openOrNull(FaultInjectingStorage storage, LogStore.Options options) {
        try {
            return LogStore.open(storage, DIR, options, Clock.systemUTC(), new SimpleMeterRegistry());
        } catch (RuntimeException powerLoss) {
            return null;
        }
    }

    private static void waitFor(Op op) {
        if (op != null) {
            try {
                op.done().get(5, TimeUnit.SECONDS);
            } catch (Exception notDurable) {
                // the power went
            }
        }
    }

    /**
     * For each key: the newest acknowledged operation, or any later one (which may or may not have reached the
     * disk); "absent" too when nothing was acknowledged since the key's last known state. Afterwards the state found
     * is the key's known state.
     */
    private static void check(LogStore store, Map<String, List<Op>> history) {
        int present = 0;
        for (String key : KEYS) {
            List<Op> ops = history.getOrDefault(key, List.of());
            int lastAcked = -1;
            for (int i = 0; i < ops.size(); i++) {
                if (ops.get(i).acknowledged()) {
                    lastAcked = i;
                }
            }
            Optional<byte[]> found = store.get(key);
            boolean allowed = false;
            for (int i = Math.max(0, lastAcked); i < ops.size() && !allowed; i++) {
                byte[] v = ops.get(i).value();
                allowed = v == null ? found.isEmpty() : found.isPresent() && Arrays.equals(v, found.get());
            }
            if (lastAcked < 0 && found.isEmpty()) {
                allowed = true; // never written durably: absent is what it was
            }
            if (!allowed) {
                fail("%s after power loss: %s; acknowledged op %d of %s", key,
                        found.map(v -> "'" + new String(v, StandardCharsets.UTF_8) + "'").orElse("absent"), lastAcked,
                        ops.stream().map(o -> (o.value() == null ? "delete" : new String(o.value(),
                                StandardCharsets.UTF_8)) + (o.acknowledged() ? "+ack" : "")).toList());
            }
            if (found.isPresent()) {
                present++;
            }
            history.put(key, new ArrayList<>(List.of(new Op(found.orElse(null),
                    CompletableFuture.completedFuture(Durability.SYNC_EACH)))));
        }
        assertThat(store.size()).as("live keys").isEqualTo(present);
    }

    /** Every file and, for segments, every record: what a failure needs to be understood. */
    private static String dump(FaultInjectingStorage storage) {
        StringBuilder out = new StringBuilder();
        for (String name : storage.list(DIR).stream().sorted().toList()) {
            byte[] bytes = storage.readAll(DIR.resolve(name));
            out.append("  ").append(name).append(" (").append(bytes.length).append(" bytes)");
            if (name.endsWith(".data")) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
                int offset = 0;
                while (RecordCodec.read(b, offset, bytes.length) instanceof RecordCodec.Ok ok) {
                    byte[] v = ok.record().value();
                    String value = v == null ? "delete" : new String(v, StandardCharsets.UTF_8);
                    out.append(" @").append(offset).append(' ')
                            .append(new String(ok.record().key(), StandardCharsets.UTF_8)).append('=')
                            .append(value, 0, Math.min(value.length(), 16));
                    offset += ok.record().size();
                }
                out.append(" end@").append(offset);
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static byte[] valueOf(String key, int version, Random random) {
        StringBuilder b = new StringBuilder(key).append('#').append(version).append(':');
        int length = 1 + random.nextInt(300);
        while (b.length() < length) {
            b.append((char) ('a' + random.nextInt(26)));
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }
}

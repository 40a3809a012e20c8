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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * {@link MessageLog} on a {@link FaultInjectingStorage} that loses power at a random operation (inside a roll, a
 * segment deletion, a force…): after each reboot every acknowledged append (under {@code SYNC_EACH} or
 * {@code GROUP_COMMIT}) reads back at its position, unless its segment was deleted on purpose; a position never reads
 * back as anything but the record appended there (or fails its CRC); and appends go on after the recovered end. A
 * failure names its seed; rerun one with {@code -Dpowerloss.seed=<seed>}.
 */
class MessageLogPowerLossTest {

    private static final Path DIR = Path.of("/log");
    private static final int RUNS = 300;

    private static ch.qos.logback.classic.Logger storeLog;
    private static Level levelBefore;

    @BeforeAll
    static void quiet() {
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

    private record Appended(long key, byte[] value, MessageLog.Appended at) {
        boolean acknowledged() {
            return at.position() >= 0 && at.durable().isDone() && !at.durable().isCompletedExceptionally();
        }
    }

    @Test
    void everyAcknowledgedAppendSurvivesAPowerLossAtItsPosition() {
        String only = System.getProperty("powerloss.seed");
        long first = only != null ? Long.parseLong(only) : new Random().nextLong();
        int runs = only != null ? 1 : RUNS;
        for (int run = 0; run < runs; run++) {
            long seed = first + run;
            try {
                runOnce(new Random(seed));
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("message log power-loss run failed; rerun with -Dpowerloss.seed=" + seed, e);
            }
        }
    }

    private void runOnce(Random random) {
        Durability durability = random.nextBoolean() ? Durability.SYNC_EACH : Durability.GROUP_COMMIT;
        LogStore.Options options = new LogStore.Options(1024 + random.nextInt(3072), durability, Duration.ofMillis(1));
        FaultInjectingStorage storage = new FaultInjectingStorage(random,
                random.nextInt(3) == 0 ? FaultInjectingStorage.Loss.DROP : FaultInjectingStorage.Loss.RANDOM);
        Map<Long, byte[]> values = new HashMap<>();
        List<Appended> all = new ArrayList<>();
        long deletedBelow = 0; // segments below it were deleted on purpose
        long key = 0;
        for (int phase = 0; phase < 3; phase++) {
            storage.losePowerAfter(random.nextInt(phase == 0 ? 120 : 60));
            MessageLog log = openOrNull(storage, options);
            int ops = 30 + random.nextInt(100);
            for (int i = 0; i < ops && log != null && !storage.powerLost(); i++) {
                int what = random.nextInt(100);
                if (what < 80) {
                    byte[] value = value(++key, random);
                    values.put(key, value);
                    try {
                        all.add(new Appended(key, value, log.append(key, key, value)));
                    } catch (RuntimeException powerLoss) {
                        // the power went inside the append
                    }
                } else if (what < 92) {
                    if (!all.isEmpty()) {
                        try {
                            all.get(all.size() - 1).at().durable().get(5, TimeUnit.SECONDS);
                        } catch (Exception notDurable) {
                            // the power went
                        }
                    }
                } else if (what < 97) {
                    List<Long> segs = log.segmentIds();
                    if (segs.size() > 2) {
                        long below = segs.get(1);
                        try {
                            log.deleteSegmentsBelow(below);
                        } catch (RuntimeException powerLoss) {
                            // some may be gone
                        }
                        deletedBelow = Math.max(deletedBelow, below);
                    }
                } else {
                    log.close();
                    log = openOrNull(storage, options);
                }
            }
            if (log != null && !storage.powerLost() && random.nextBoolean() && !all.isEmpty()) {
                try {
                    all.get(all.size() - 1).at().durable().get(5, TimeUnit.SECONDS);
                } catch (Exception notDurable) {
                    // the power went
                }
            }
            FaultInjectingStorage rebooted = storage.afterPowerLoss();
            if (log != null) {
                log.close();
            }
            storage = rebooted;
            MessageLog after = MessageLog.open(storage, DIR, options, Clock.systemUTC(), new SimpleMeterRegistry());
            try {
                check(after, all, values, deletedBelow);
                // appends go on after the recovered end, never over an acknowledged record
                byte[] value = value(++key, random);
                values.put(key, value);
                MessageLog.Appended a = after.append(key, key, value);
                a.durable().join();
                assertThat(after.read(a.position()).value()).isEqualTo(value);
                all.add(new Appended(key, value, a));
                check(after, all, values, deletedBelow);
            } finally {
                after.close();
            }
        }
    }

    private static void check(MessageLog log, List<Appended> all, Map<Long, byte[]> values, long deletedBelow) {
        for (Appended a : all) {
            if (a.at().position() < 0) {
                continue;
            }
            long segment = MessageLog.segmentOf(a.at().position());
            MessageLog.Read r;
            try {
                r = log.read(a.at().position());
            } catch (CorruptRecordException e) {
                if (a.acknowledged() && segment >= deletedBelow) {
                    fail("acknowledged append %d at %d is corrupt: %s", a.key(), a.at().position(), e.getMessage());
                }
                continue;
            }
            if (r == null) {
                if (a.acknowledged() && segment >= deletedBelow) {
                    fail("acknowledged append %d lost its segment %d", a.key(), segment);
                }
                continue;
            }
            assertThat(values).as("a record nobody appended").containsKey(r.key());
            assertThat(r.value()).as("the value of %d", r.key()).isEqualTo(values.get(r.key()));
            if (a.acknowledged()) {
                assertThat(r.key()).as("acknowledged append at %d", a.at().position()).isEqualTo(a.key());
            }
        }
    }

    private static MessageLog openOrNull(FaultInjectingStorage storage, LogStore.Options options) {
        try {
            return MessageLog.open(storage, DIR, options, Clock.systemUTC(), new SimpleMeterRegistry());
        } catch (RuntimeException powerLoss) {
            return null;
        }
    }

    private static byte[] value(long key, Random random) {
        StringBuilder b = new StringBuilder("m").append(key).append(':');
        int length = 1 + random.nextInt(200);
        while (b.length() < length) {
            b.append((char) ('a' + random.nextInt(26)));
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }
}

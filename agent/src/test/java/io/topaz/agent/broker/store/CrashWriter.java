package io.topaz.agent.broker.store;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * The child process of the crash test: appends with group commit as fast as it can and prints {@code D <key>} for each
 * record once its future says it is durable. The parent kills it with SIGKILL at a random moment.
 */
public final class CrashWriter {

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String generation = args[1];
        PrintStream out = new PrintStream(System.out, false);
        LogStore store = LogStore.open(dir, new LogStore.Options(256 * 1024, Durability.GROUP_COMMIT, Duration.ofMillis(2)),
                Clock.systemUTC(), new SimpleMeterRegistry());
        out.println("READY");
        out.flush();
        for (int i = 0; ; i++) {
            String key = generation + "-" + i;
            store.put(key, LogStoreTest.valueFor(key)).thenRun(() -> {
                synchronized (out) {
                    out.println("D " + key);
                    out.flush();
                }
            });
        }
    }
}

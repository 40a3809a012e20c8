package io.topaz.agent.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Lines from many threads all come out whole, in each thread's order; an overflow is reported, not hidden. The tests
 * decide when lines are written ({@code flush}), so none depends on how fast the writer thread runs.
 */
class BatchingConsoleAppenderTest {

    private final LoggerContext context = new LoggerContext();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    /** An appender without a writer thread: lines are written when the test calls flush() or stop(). */
    private BatchingConsoleAppender appender(int capacity) {
        return appender(new BatchingConsoleAppender(false), capacity, 1);
    }

    private BatchingConsoleAppender appender(BatchingConsoleAppender a, int capacity, long flushMillis) {
        context.setMDCAdapter(new LogbackMDCAdapter());
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.start();
        a.setContext(context);
        a.setName("test");
        a.setEncoder(encoder);
        a.setCapacity(capacity);
        a.setFlushMillis(flushMillis);
        a.setTarget(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        a.start();
        Logger logger = context.getLogger("access");
        logger.setLevel(Level.INFO);
        logger.addAppender(a);
        return a;
    }

    private List<String> lines() {
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void everyLineFromEveryThreadIsWrittenInItsThreadsOrder() throws Exception {
        BatchingConsoleAppender a = appender(65_536);
        Logger logger = context.getLogger("access");
        ExecutorService pool = Executors.newFixedThreadPool(5);
        CountDownLatch done = new CountDownLatch(4);
        for (int t = 0; t < 4; t++) {
            int thread = t;
            pool.execute(() -> {
                for (int i = 0; i < 5_000; i++) {
                    logger.info("t{} n{}", thread, i);
                }
                done.countDown();
            });
        }
        Future<?> writer = pool.submit(() -> { // writes while the threads log, as the writer thread would
            while (done.getCount() > 0) {
                a.flush();
            }
        });
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        writer.get(30, TimeUnit.SECONDS);
        pool.shutdown();
        a.stop(); // writes what is still queued

        List<String> lines = lines();
        assertThat(lines).hasSize(20_000);
        for (int t = 0; t < 4; t++) {
            String prefix = "t" + t + " ";
            List<String> own = lines.stream().filter(l -> l.startsWith(prefix)).toList();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 5_000; i++) {
                expected.add(prefix + "n" + i);
            }
            assertThat(own).isEqualTo(expected);
        }
    }

    @Test
    void linesBeyondTheCapacityAreDroppedAndTheLossIsReportedOnce() {
        BatchingConsoleAppender a = appender(3);
        Logger logger = context.getLogger("access");
        for (int i = 0; i < 10; i++) {
            logger.info("line {}", i);
        }
        a.flush();
        assertThat(lines()).containsExactly("line 0", "line 1", "line 2",
                "topaz: 7 log lines were dropped: more than 3 were waiting to be written");
        logger.info("line {}", 10); // room again
        a.stop();
        assertThat(lines()).hasSize(5).last().isEqualTo("line 10");
    }

    @Test
    void theWriterThreadWritesWithoutBeingAsked() {
        BatchingConsoleAppender a = appender(new BatchingConsoleAppender(), 16, 1);
        context.getLogger("access").info("by itself");
        await().atMost(Duration.ofSeconds(10)).until(() -> lines().contains("by itself"));
        a.stop();
        assertThat(lines()).containsExactly("by itself");
    }

    @Test
    void refusesToStartWithoutAnEncoder() {
        BatchingConsoleAppender a = new BatchingConsoleAppender();
        a.setContext(context);
        a.setName("bare");
        a.start();
        assertThat(a.isStarted()).isFalse();
        assertThat(context.getStatusManager().getCopyOfStatusList())
                .anySatisfy(s -> assertThat(s.getMessage()).contains("no encoder for the appender named 'bare'"));
    }
}

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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Lines from many threads all come out whole, in each thread's order; an overflow is reported, not hidden. */
class BatchingConsoleAppenderTest {

    private final LoggerContext context = new LoggerContext();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    private BatchingConsoleAppender appender(int capacity, long flushMillis) {
        context.setMDCAdapter(new LogbackMDCAdapter());
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.start();
        BatchingConsoleAppender a = new BatchingConsoleAppender();
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
        BatchingConsoleAppender a = appender(65_536, 1);
        Logger logger = context.getLogger("access");
        ExecutorService pool = Executors.newFixedThreadPool(4);
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
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
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
    void linesBeyondTheCapacityAreDroppedAndTheLossIsReported() {
        BatchingConsoleAppender a = appender(3, 60_000); // the writer sleeps: nothing is written before stop()
        Logger logger = context.getLogger("access");
        for (int i = 0; i < 10; i++) {
            logger.info("line {}", i);
        }
        a.stop();
        assertThat(lines()).containsExactly("line 0", "line 1", "line 2",
                "topaz: 7 log lines were dropped: more than 3 were waiting to be written");
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

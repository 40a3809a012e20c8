package io.topaz.agent.broker.push.confirm;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.topaz.agent.broker.Broker;
import io.topaz.agent.broker.BrokerMessage;
import io.topaz.agent.broker.ConfirmOutcome;
import io.topaz.agent.broker.Delivery;
import io.topaz.agent.broker.MessageIds;
import io.topaz.agent.broker.QueueName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.nio.file.StandardOpenOption;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The confirmation tiers, forced small: a heap tier of a few confirmations and a direct tier of a few records, so a
 * broker that does not answer for a while pushes the rest to the files. Every confirmation still reaches the broker,
 * each queue's in the order offered, after overflow to files and back, and across a restart.
 */
class ConfirmationsTest {

    private static final QueueName A = new QueueName("app-a", "default");
    private static final QueueName B = new QueueName("app-b", "g1");

    @TempDir
    Path dir;

    /** A broker that records each confirm call (queue, then the ids: confirmed as +id, failed as -id). */
    static final class RecordingBroker implements Broker {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final List<Long> a = new CopyOnWriteArrayList<>();
        final List<Long> b = new CopyOnWriteArrayList<>();
        /** Calls are recorded at once and answered when this completes. */
        volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
        /** While true, calls are recorded and never answered (an owner that went away). */
        volatile boolean hang;

        @Override
        public CompletableFuture<ConfirmOutcome> confirm(QueueName q, long[] confirmed, long[] failed) {
            List<Long> to = q.equals(A) ? a : b;
            // one call carries confirmed and failed ids; the tests give each id one answer, so any order of the two
            // lists within a call is fine: keep them in id order, as offered
            List<Long> ids = new ArrayList<>();
            for (long id : confirmed) {
                ids.add(id);
            }
            for (long id : failed) {
                ids.add(-id);
            }
            ids.sort((x, y) -> Long.compare(Math.abs(x), Math.abs(y)));
            to.addAll(ids);
            calls.add(q + " " + ids);
            ConfirmOutcome o = new ConfirmOutcome(confirmed.length, failed.length, 0);
            return hang ? new CompletableFuture<>() : gate.thenApply(v -> o);
        }

        @Override
        public MessageIds ids() {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<Void> publish(BrokerMessage message, Collection<QueueName> queues) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<List<Delivery>> consume(QueueName queue, int max) {
            throw new UnsupportedOperationException();
        }
    }

    private ConfirmSettings small(int heap, long direct) {
        return ConfirmSettings.defaults().withBounds(heap, direct).withDir(dir).withFileBytes(1024).withBatch(8);
    }

    /** Offers ids 1..n alternately to A and B (even ids failed); the expected per-queue sequences. */
    private static List<List<Long>> offer(Confirmations c, int from, int to) {
        List<Long> a = new ArrayList<>();
        List<Long> b = new ArrayList<>();
        for (long id = from; id <= to; id++) {
            boolean failed = id % 2 == 0;
            QueueName q = id % 3 == 0 ? B : A;
            c.offer(q, id, failed);
            (q.equals(A) ? a : b).add(failed ? -id : id);
        }
        return List.of(a, b);
    }

    @Test
    void overflowGoesToDirectMemoryThenFilesAndEverythingComesBackInOrder() throws Exception {
        RecordingBroker broker = new RecordingBroker();
        broker.gate = new CompletableFuture<>(); // the broker answers nothing until the tiers overflowed
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // heap: 4 confirmations; direct: 64 bytes, room for 2 records of ~27 bytes
        try (Confirmations c = Confirmations.start(broker, small(4, 64), registry)) {
            List<List<Long>> expected = offer(c, 1, 300);
            assertThat(c.offered(ConfirmQueue.Tier.HEAP)).isPositive();
            assertThat(c.offered(ConfirmQueue.Tier.DIRECT)).isPositive();
            assertThat(c.offered(ConfirmQueue.Tier.FILE)).isGreaterThan(250);
            await().atMost(Duration.ofSeconds(10)).until(() -> confirmationFiles().count() > 0);

            broker.gate.complete(null);
            await().atMost(Duration.ofSeconds(20)).until(() -> broker.a.size() + broker.b.size() == 300);
            assertThat(broker.a).containsExactlyElementsOf(expected.get(0));
            assertThat(broker.b).containsExactlyElementsOf(expected.get(1));
            await().atMost(Duration.ofSeconds(10)).until(c::idle);
            assertThat(c.completed(ConfirmQueue.Tier.FILE)).isGreaterThan(250);
            assertThat(c.completed(ConfirmQueue.Tier.HEAP) + c.completed(ConfirmQueue.Tier.DIRECT)
                    + c.completed(ConfirmQueue.Tier.FILE)).isEqualTo(300);
            assertThat(c.memoryShare()).isLessThan(0.2);
            assertThat(registry.get("topaz.push.confirm.tier").tag("tier", "file").functionCounter().count())
                    .isEqualTo(c.completed(ConfirmQueue.Tier.FILE));
            assertThat(registry.get("topaz.push.confirm.memory.share").gauge().value()).isEqualTo(c.memoryShare());

            // drained: the files are gone, and new confirmations use the heap again
            await().atMost(Duration.ofSeconds(10)).until(() -> confirmationFiles().count() == 0);
            long heapBefore = c.offered(ConfirmQueue.Tier.HEAP);
            c.offer(A, 1_000, false);
            assertThat(c.offered(ConfirmQueue.Tier.HEAP)).isEqualTo(heapBefore + 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> broker.a.contains(1_000L));
        }
    }

    @Test
    void whatIsNotAppliedAtShutdownIsAppliedInOrderAfterARestart() throws Exception {
        RecordingBroker first = new RecordingBroker();
        first.hang = true; // the owner never answers: the drainer gives up on each batch after the apply timeout
        ConfirmSettings s = new ConfirmSettings(16, 64, dir, 1024, 4, Duration.ofMillis(300));
        List<List<Long>> expected;
        try (Confirmations c = Confirmations.start(first, s, new SimpleMeterRegistry())) {
            expected = offer(c, 1, 120);
            await().atMost(Duration.ofSeconds(10)).until(() -> !first.calls.isEmpty());
        } // close: at most applyTimeout more of batches, then memory tiers and files stay on disk
        assertThat(confirmationFiles().count()).isPositive();

        RecordingBroker second = new RecordingBroker();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Confirmations c = Confirmations.start(second, s, registry)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> first.a.size() + first.b.size() + second.a.size()
                    + second.b.size() == 120);
            // what the first broker was asked (and never answered), then what the restart replayed: nothing lost,
            // nothing out of order
            assertThat(concat(first.a, second.a)).containsExactlyElementsOf(expected.get(0));
            assertThat(concat(first.b, second.b)).containsExactlyElementsOf(expected.get(1));
            assertThat(c.completed(ConfirmQueue.Tier.FILE)).isEqualTo(second.a.size() + second.b.size());
            await().atMost(Duration.ofSeconds(10)).until(() -> confirmationFiles().count() == 0);
        }
    }

    @Test
    void aTornRecordAtAFilesEndIsSkippedAndTheRestApplied() throws Exception {
        FileTier files = new FileTier(dir, 1024 * 1024);
        List<Confirmation> written = new ArrayList<>();
        for (long id = 1; id <= 20; id++) {
            written.add(new Confirmation(A, id, false));
        }
        files.append(written);
        files.close();
        Path file = confirmationFiles().findFirst().orElseThrow();
        Files.write(file, new byte[]{0, 0, 0, 40, 1, 2}, StandardOpenOption.APPEND); // a crash mid-write

        RecordingBroker broker = new RecordingBroker();
        try (Confirmations c = Confirmations.start(broker, small(4, 64), new SimpleMeterRegistry())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> broker.a.size() == 20);
            assertThat(broker.a).containsExactlyElementsOf(LongStream.rangeClosed(1, 20).boxed().toList());
            c.offer(A, 21, true);
            await().atMost(Duration.ofSeconds(10)).until(() -> broker.a.size() == 21);
            assertThat(broker.a.get(20)).isEqualTo(-21L);
            await().atMost(Duration.ofSeconds(10)).until(c::idle);
        }
    }

    private static List<Long> concat(List<Long> x, List<Long> y) {
        List<Long> all = new ArrayList<>(x);
        all.addAll(y);
        return all;
    }

    private Stream<Path> confirmationFiles() throws java.io.IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".log")).toList().stream();
        }
    }
}

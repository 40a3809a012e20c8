package io.topaz.agent.broker.queue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.topaz.agent.broker.BrokerMessage;
import io.topaz.agent.broker.ConfirmOutcome;
import io.topaz.agent.broker.DeadLetter;
import io.topaz.agent.broker.DeadLetterQuery;
import io.topaz.agent.broker.Delivery;
import io.topaz.agent.broker.LocalQueues;
import io.topaz.agent.broker.QueueName;
import io.topaz.agent.broker.QueueStats;
import io.topaz.agent.broker.store.Durability;
import io.topaz.model.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link QueueEngine} as {@link LocalQueues} promises it, time moved by a {@link MutableClock}. */
class QueueEngineTest {

    static final QueueName Q = new QueueName("app1", "default");
    static final QueueName Q2 = new QueueName("app1", "other");
    static final QueueName R = new QueueName("app2", "default");

    @TempDir
    Path dir;

    final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T06:00:00Z"));
    final MeterRegistry registry = new SimpleMeterRegistry();
    ToLongFunction<String> caps = app -> 0;
    final Map<Long, BrokerMessage> sent = new java.util.HashMap<>();
    QueueEngine engine;

    static QueueEngine.Options fast() {
        return QueueEngine.Options.defaults().withDurability(Durability.OS).withSegmentBytes(64 * 1024)
                .withReclaimInterval(Duration.ofHours(1)); // tests call reclaim() themselves
    }

    QueueEngine open(QueueEngine.Options options) {
        engine = QueueEngine.open(dir, options, clock, registry, app -> caps.applyAsLong(app));
        return engine;
    }

    @AfterEach
    void closeEngine() {
        if (engine != null) {
            engine.close();
        }
    }

    BrokerMessage msg(long id) {
        return new BrokerMessage(id, id % 2 == 0 ? "taobao_trade_TradeCreate" : "taobao_trade_TradeChanged",
                "producer", clock.millis(), 1000 + id % 3, "seller-" + id % 3, "{\"tid\":" + id + "}", id);
    }

    void append(long from, long to, QueueName... queues) {
        List<CompletableFuture<Void>> fs = new ArrayList<>();
        for (long id = from; id <= to; id++) {
            BrokerMessage m = msg(id);
            sent.put(id, m);
            fs.add(engine.append(m, List.of(queues)));
        }
        CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).orTimeout(30, TimeUnit.SECONDS).join();
    }

    static List<Long> ids(List<Delivery> ds) {
        return ds.stream().map(d -> d.message().id()).toList();
    }

    static long[] arr(long... ids) {
        return ids;
    }

    static long[] range(long from, long to) {
        return java.util.stream.LongStream.rangeClosed(from, to).toArray();
    }

    double count(String name, QueueName q) {
        var c = registry.find(name).tags("app", q.appKey(), "group", q.group()).counters();
        return c.stream().mapToDouble(x -> x.count()).sum();
    }

    @Test
    void appendConsumeConfirmInOrderUnderGroupCommit() {
        open(QueueEngine.Options.defaults().withSegmentBytes(64 * 1024).withReclaimInterval(Duration.ofHours(1)));
        append(1, 10, Q);
        List<Delivery> first = engine.consume(Q, 4);
        assertThat(ids(first)).containsExactly(1L, 2L, 3L, 4L);
        assertThat(first).allSatisfy(d -> assertThat(d.attempt()).isEqualTo(1));
        assertThat(first.get(0).message()).isEqualTo(msg(1));
        assertThat(ids(engine.consume(Q, 100))).containsExactly(5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(engine.consume(Q, 100)).isEmpty();
        assertThat(engine.confirm(Q, range(1, 10), arr())).isEqualTo(new ConfirmOutcome(10, 0, 0));
        assertThat(engine.consume(Q, 100)).isEmpty();
        QueueStats s = engine.stats().get(0);
        assertThat(s.queue()).isEqualTo(Q);
        assertThat(s.backlog()).isZero();
        assertThat(s.delivered()).isEqualTo(10);
        assertThat(s.confirmed()).isEqualTo(10);
        assertThat(count("topaz.broker.delivered", Q)).isEqualTo(10);
        assertThat(count("topaz.broker.confirmed", Q)).isEqualTo(10);
        assertThat(registry.find("topaz.broker.delivery.latency").timer().count()).isEqualTo(10);
    }

    @Test
    void oneMessageIsStoredOnceForAllItsQueues() {
        open(fast());
        append(1, 1, Q);
        long one = engine.logBytes();
        append(3, 3, Q, Q2, R); // the same size as 1
        assertThat(engine.logBytes()).isEqualTo(2 * one);
        assertThat(ids(engine.consume(Q2, 10))).containsExactly(3L);
        assertThat(ids(engine.consume(R, 10))).containsExactly(3L);
        assertThat(ids(engine.consume(Q, 10))).containsExactly(1L, 3L);
        assertThat(engine.queues()).containsExactly(Q, Q2, R);
        assertThat(engine.consume(new QueueName("nobody", "default"), 10)).isEmpty();
    }

    @Test
    void confirmsOfUnknownOtherQueuesOrAlreadyConfirmedIdsChangeNothingAndAreCounted() {
        open(fast());
        append(1, 3, Q);
        append(4, 4, R);
        engine.consume(Q, 10);
        engine.consume(R, 10);
        assertThat(engine.confirm(Q, arr(1), arr())).isEqualTo(new ConfirmOutcome(1, 0, 0));
        assertThat(engine.confirm(Q, arr(1, 4, 999), arr(4, 998))).isEqualTo(new ConfirmOutcome(0, 0, 5));
        assertThat(engine.confirm(new QueueName("x", "y"), arr(2), arr())).isEqualTo(new ConfirmOutcome(0, 0, 1));
        assertThat(count("topaz.broker.confirm.ignored", Q)).isEqualTo(5);
        // nothing changed: 2 and 3 still in flight, 4 still R's
        assertThat(engine.stats().get(0).inFlight()).isEqualTo(2);
        assertThat(engine.confirm(R, arr(4), arr())).isEqualTo(new ConfirmOutcome(1, 0, 0));
        assertThat(engine.confirm(Q, arr(2, 3), arr())).isEqualTo(new ConfirmOutcome(2, 0, 0));
    }

    @Test
    void anUnconfirmedMessageComesBackAfterTheTimeoutBeforeNewOnes() {
        open(fast().withRedelivery(Duration.ofSeconds(60), List.of(Duration.ofSeconds(10)), 16));
        append(1, 2, Q);
        assertThat(ids(engine.consume(Q, 1))).containsExactly(1L);
        clock.advance(Duration.ofSeconds(59));
        assertThat(ids(engine.consume(Q, 1))).containsExactly(2L);
        append(3, 3, Q);
        clock.advance(Duration.ofSeconds(2)); // 1 is due, 2 not yet
        List<Delivery> again = engine.consume(Q, 10);
        assertThat(ids(again)).containsExactly(1L, 3L);
        assertThat(again.get(0).attempt()).isEqualTo(2);
        assertThat(again.get(1).attempt()).isEqualTo(1);
        assertThat(count("topaz.broker.redelivered", Q)).isEqualTo(1);
        clock.advance(Duration.ofSeconds(59));
        assertThat(ids(engine.consume(Q, 10))).containsExactly(2L);
        assertThat(engine.confirm(Q, arr(1, 2, 3), arr())).isEqualTo(new ConfirmOutcome(3, 0, 0));
        clock.advance(Duration.ofHours(1));
        assertThat(engine.consume(Q, 10)).isEmpty();
    }

    @Test
    void failedIdsComeBackAfterTheBackoff() {
        open(fast().withRedelivery(Duration.ofSeconds(60), List.of(Duration.ofSeconds(5), Duration.ofSeconds(20)),
                16));
        append(1, 2, Q);
        engine.consume(Q, 10);
        assertThat(engine.confirm(Q, arr(2), arr(1))).isEqualTo(new ConfirmOutcome(1, 1, 0));
        clock.advance(Duration.ofSeconds(4));
        assertThat(engine.consume(Q, 10)).isEmpty();
        clock.advance(Duration.ofSeconds(2));
        List<Delivery> again = engine.consume(Q, 10);
        assertThat(ids(again)).containsExactly(1L);
        assertThat(again.get(0).attempt()).isEqualTo(2);
        engine.confirm(Q, arr(), arr(1));
        clock.advance(Duration.ofSeconds(19));
        assertThat(engine.consume(Q, 10)).isEmpty();
        clock.advance(Duration.ofSeconds(2));
        assertThat(engine.consume(Q, 10).get(0).attempt()).isEqualTo(3);
    }

    @Test
    void afterMaxAttemptsAMessageIsDeadLetteredAndReplayDeliversItAgain() {
        open(fast().withRedelivery(Duration.ofSeconds(1), List.of(Duration.ofSeconds(1)), 3));
        append(1, 2, Q);
        for (int attempt = 1; attempt <= 3; attempt++) {
            List<Delivery> ds = engine.consume(Q, 1);
            assertThat(ds).extracting(Delivery::attempt).containsExactly(attempt);
            assertThat(ids(ds)).containsExactly(1L);
            clock.advance(Duration.ofSeconds(2));
        }
        assertThat(ids(engine.consume(Q, 10))).containsExactly(2L); // 1 is dead now
        engine.confirm(Q, arr(2), arr());
        DeadLetterQuery.Page page = engine.deadLetters(new DeadLetterQuery("app1", null, 0, Long.MAX_VALUE, 0, 10));
        assertThat(page.total()).isEqualTo(1);
        DeadLetter d = page.items().get(0);
        assertThat(d.message()).isEqualTo(sent.get(1L));
        assertThat(d.queue()).isEqualTo(Q);
        assertThat(d.attempts()).isEqualTo(3);
        assertThat(d.reason()).isEqualTo("MAX_ATTEMPTS");
        assertThat(d.deadAtMillis()).isEqualTo(clock.millis());
        assertThat(engine.stats().get(0).deadLetters()).isEqualTo(1);
        assertThat(engine.stats().get(0).backlog()).isZero();
        assertThat(count("topaz.broker.dead_lettered", Q)).isEqualTo(1);

        assertThat(engine.replay("app2", List.of(1L))).isZero(); // another app's
        assertThat(engine.replay("app1", List.of(1L, 77L))).isEqualTo(1);
        List<Delivery> replayed = engine.consume(Q, 10);
        assertThat(ids(replayed)).containsExactly(1L);
        assertThat(replayed.get(0).attempt()).isEqualTo(1);
        assertThat(engine.deadLetters(new DeadLetterQuery("app1", null, 0, Long.MAX_VALUE, 0, 10)).total()).isZero();
        assertThat(engine.confirm(Q, arr(1), arr()).confirmed()).isEqualTo(1);
    }

    @Test
    void aMessagePastTheRetentionIsDeadLetteredDeliveredOrNot() {
        open(fast().withRetention(Duration.ofHours(1), Duration.ofDays(14))
                .withRedelivery(Duration.ofHours(2), List.of(Duration.ofSeconds(10)), 16));
        append(1, 1, Q);
        engine.consume(Q, 10); // 1 in flight
        append(2, 3, Q);       // 2 and 3 not delivered
        clock.advance(Duration.ofMinutes(61));
        append(4, 4, Q);
        QueueEngine.ReclaimReport r = engine.reclaim();
        assertThat(r.deadLettered()).isEqualTo(3); // the one in flight, and the expired head of the backlog
        DeadLetterQuery.Page page = engine.deadLetters(new DeadLetterQuery("app1", null, 0, Long.MAX_VALUE, 0, 10));
        assertThat(page.items()).extracting(DeadLetter::reason).containsOnly("RETENTION");
        assertThat(page.items()).extracting(x -> x.message().id()).containsExactlyInAnyOrder(1L, 2L, 3L);
        assertThat(engine.stats().get(0).backlog()).isEqualTo(1);
        append(5, 5, Q);
        clock.advance(Duration.ofMinutes(30));
        append(6, 6, Q);
        clock.advance(Duration.ofMinutes(31)); // 4 and 5 expired, 6 not: the consume skips them
        assertThat(ids(engine.consume(Q, 10))).containsExactly(6L);
        assertThat(engine.deadLetters(new DeadLetterQuery("app1", null, 0, Long.MAX_VALUE, 0, 10)).total())
                .isEqualTo(5);
    }

    @Test
    void concurrentProducersAndAConsumerUnderGroupCommit() throws Exception {
        open(QueueEngine.Options.defaults().withSegmentBytes(256 * 1024).withLimits(500, 5000, 1024)
                .withReclaimInterval(Duration.ofMillis(50))); // reclamation runs meanwhile
        int producers = 4;
        int each = 2000;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(producers + 1);
        try {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                long base = p * (long) each;
                done.add(pool.submit(() -> {
                    List<CompletableFuture<Void>> fs = new ArrayList<>();
                    for (long id = base + 1; id <= base + each; id++) {
                        fs.add(engine.append(msg(id), List.of(Q, R)));
                    }
                    CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).join();
                }));
            }
            Set<Long> got = java.util.concurrent.ConcurrentHashMap.newKeySet();
            java.util.concurrent.Future<?> consumer = pool.submit(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (got.size() < producers * each && System.nanoTime() < deadline) {
                    List<Delivery> ds = engine.consume(Q, 200);
                    for (Delivery d : ds) {
                        assertThat(got.add(d.message().id())).as("delivered once").isTrue();
                    }
                    engine.confirm(Q, ids(ds).stream().mapToLong(Long::longValue).toArray(), arr());
                }
            });
            for (var f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
            consumer.get(40, TimeUnit.SECONDS);
            assertThat(got).hasSize(producers * each);
        } finally {
            pool.shutdownNow();
        }
        assertThat(engine.stats()).extracting(QueueStats::backlog).containsExactly(0L, (long) producers * each);
    }

    @Test
    void deadLettersAreListedNewestFirstByTopicAndTimeAndPagedAndPurged() {
        open(fast().withRedelivery(Duration.ofSeconds(1), List.of(Duration.ofSeconds(1)), 1));
        append(1, 6, Q);
        long start = clock.millis();
        for (int i = 0; i < 6; i++) {
            engine.consume(Q, 1);
            clock.advance(Duration.ofSeconds(2)); // each dies on the next consume, 2 s apart
        }
        engine.consume(Q, 1);
        DeadLetterQuery.Page all = engine.deadLetters(new DeadLetterQuery("app1", null, 0, Long.MAX_VALUE, 0, 4));
        assertThat(all.total()).isEqualTo(6);
        assertThat(all.items()).extracting(d -> d.message().id()).containsExactly(6L, 5L, 4L, 3L);
        assertThat(engine.deadLetters(new DeadLetterQuery("app1", null, 0, Long.MAX_VALUE, 1, 4)).items())
                .extracting(d -> d.message().id()).containsExactly(2L, 1L);
        assertThat(engine.deadLetters(new DeadLetterQuery("app1", "taobao_trade_TradeCreate", 0, Long.MAX_VALUE,
                0, 10)).items()).extracting(d -> d.message().id()).containsExactly(6L, 4L, 2L);
        long t3 = all.items().get(3).deadAtMillis(); // 3 died at t3
        assertThat(engine.deadLetters(new DeadLetterQuery("app1", null, t3, t3 + 4001, 0, 10)).items())
                .extracting(d -> d.message().id()).containsExactly(5L, 4L, 3L);
        assertThat(t3).isGreaterThan(start);
        assertThat(engine.deadLetters(new DeadLetterQuery("app2", null, 0, Long.MAX_VALUE, 0, 10)).total()).isZero();
        assertThat(engine.purge("app2", List.of(1L))).isZero();
        assertThat(engine.purge("app1", List.of(1L, 2L, 99L))).isEqualTo(2);
        assertThat(engine.deadLetters(new DeadLetterQuery("app1", null, 0, Long.MAX_VALUE, 0, 10)).total())
                .isEqualTo(4);
        engine.close();
        open(fast());
        assertThat(engine.deadLetters(new DeadLetterQuery("app1", null, 0, Long.MAX_VALUE, 0, 10)).items())
                .extracting(d -> d.message().id()).containsExactly(6L, 5L, 4L, 3L);
    }

    @Test
    void beyondTheBacklogCapTheOldestAreDeadLettered() {
        caps = app -> app.equals("app1") ? 5 : 0;
        open(fast());
        append(1, 3, Q);
        append(4, 8, Q, Q2, R);
        // app1 holds 3 + 5 + 5 = 13 references: the 8 oldest go
        assertThat(engine.stats().stream().filter(s -> s.queue().appKey().equals("app1"))
                .mapToLong(QueueStats::backlog).sum()).isEqualTo(5);
        assertThat(ids(engine.consume(R, 10))).containsExactly(4L, 5L, 6L, 7L, 8L);
        List<Long> left = new ArrayList<>(ids(engine.consume(Q, 10)));
        left.addAll(ids(engine.consume(Q2, 10)));
        assertThat(left).hasSize(5);
        DeadLetterQuery.Page page = engine.deadLetters(new DeadLetterQuery("app1", null, 0, Long.MAX_VALUE, 0, 100));
        assertThat(page.total()).isEqualTo(8);
        assertThat(page.items()).extracting(DeadLetter::reason).containsOnly("BACKLOG_CAP");
        assertThat(page.items()).extracting(d -> d.message().id()).contains(1L, 2L, 3L);
    }

    @Test
    void theInFlightCapLimitsAConsume() {
        open(fast().withLimits(3, 100, 16));
        append(1, 10, Q);
        assertThat(ids(engine.consume(Q, 10))).containsExactly(1L, 2L, 3L);
        assertThat(engine.consume(Q, 10)).isEmpty();
        engine.confirm(Q, arr(1), arr());
        assertThat(ids(engine.consume(Q, 10))).containsExactly(4L);
    }

    @Test
    void aCleanRestartKeepsConfirmationsAndDeliversInFlightMessagesAgain() {
        open(fast());
        append(1, 5, Q);
        engine.consume(Q, 3);
        engine.confirm(Q, arr(1, 3), arr());
        engine.close();
        open(fast());
        assertThat(ids(engine.consume(Q, 10))).containsExactly(2L, 4L, 5L);
        assertThat(engine.stats().get(0).confirmed()).isEqualTo(2);
        engine.confirm(Q, arr(2, 4, 5), arr());
        engine.close();
        open(fast());
        assertThat(engine.consume(Q, 10)).isEmpty();
        append(6, 6, Q);
        assertThat(ids(engine.consume(Q, 10))).containsExactly(6L);
    }

    @Test
    void afterACrashEveryUnconfirmedMessageIsDeliveredAgain() {
        open(QueueEngine.Options.defaults().withSegmentBytes(8 * 1024).withReclaimInterval(Duration.ofHours(1)));
        append(1, 100, Q, R);
        engine.consume(Q, 60);
        engine.confirm(Q, range(1, 40), arr());
        engine.consume(R, 10);
        engine.abandon(); // no close: what reached the files stays, nothing more is written
        engine = null;
        open(QueueEngine.Options.defaults().withSegmentBytes(8 * 1024).withReclaimInterval(Duration.ofHours(1)));
        Set<Long> q = new HashSet<>(ids(engine.consume(Q, 1000)));
        assertThat(q).containsAll(java.util.stream.LongStream.rangeClosed(41, 100).boxed().toList());
        assertThat(ids(engine.consume(R, 1000))).containsExactlyElementsOf(
                java.util.stream.LongStream.rangeClosed(1, 100).boxed().toList());
    }

    @Test
    void reclamationDeletesPassedSegmentsAndCarriesUnconfirmedMessagesForward() {
        QueueEngine.Options o = fast().withSegmentBytes(4096).withLimits(1000, 4000, 16)
                .withRedelivery(Duration.ofSeconds(60), List.of(Duration.ofSeconds(10)), 16);
        open(o);
        append(1, 200, Q, R);
        int segments = engine.logSegments().size();
        assertThat(segments).isGreaterThan(5);
        engine.reclaim();
        assertThat(engine.logSegments()).hasSize(segments); // nothing delivered: the backlog pins everything
        assertThat(ids(engine.consume(Q, 1000))).hasSize(200);
        assertThat(ids(engine.consume(R, 1000))).hasSize(200);
        long[] allBut = java.util.stream.LongStream.rangeClosed(1, 200).filter(id -> id != 5 && id != 50)
                .toArray();
        engine.confirm(Q, allBut, arr());
        engine.confirm(R, range(1, 200), arr());
        QueueEngine.ReclaimReport r = engine.reclaim();
        assertThat(r.carriedForward()).isEqualTo(2);
        assertThat(r.segmentsDeleted()).isGreaterThanOrEqualTo(segments - 2);
        assertThat(engine.logSegments().size()).isLessThanOrEqualTo(2);
        assertThat(engine.queueChunks(Q)).isLessThanOrEqualTo(2);
        assertThat(engine.stats().stream().filter(s -> s.queue().equals(Q)).findFirst().orElseThrow().backlog())
                .isEqualTo(2);
        // still in flight under their ids: a late confirm of one still counts
        assertThat(engine.confirm(Q, arr(5), arr())).isEqualTo(new ConfirmOutcome(1, 0, 0));
        clock.advance(Duration.ofSeconds(61));
        List<Delivery> again = engine.consume(Q, 10);
        assertThat(ids(again)).containsExactly(50L);
        assertThat(again.get(0).attempt()).isEqualTo(2);
        assertThat(again.get(0).message()).isEqualTo(sent.get(50L));
        engine.close();
        open(o); // the carried reference survives a restart
        assertThat(ids(engine.consume(Q, 10))).containsExactly(50L);
        engine.confirm(Q, arr(50), arr());
        append(201, 260, Q);
        engine.consume(Q, 100);
        engine.confirm(Q, range(201, 260), arr());
        engine.reclaim();
        assertThat(engine.logSegments().size()).isLessThanOrEqualTo(2);
    }

    @Test
    void aLongHeldMessageIsCarriedForwardSoTheWindowStaysBounded() {
        open(fast().withLimits(10, 40, 16).withRedelivery(Duration.ofHours(1), List.of(Duration.ofHours(1)), 16));
        append(1, 1, Q);
        engine.consume(Q, 1); // 1 is never confirmed
        long next = 2;
        int delivered = 0;
        for (int round = 0; round < 50; round++) {
            append(next, next + 4, Q);
            next += 5;
            List<Delivery> ds = engine.consume(Q, 5);
            delivered += ds.size();
            engine.confirm(Q, ids(ds).stream().mapToLong(Long::longValue).toArray(), arr());
            engine.reclaim();
            assertThat(engine.footprint(Q).windowBits()).isLessThanOrEqualTo(40 + 4096 + 64);
        }
        assertThat(delivered).isEqualTo(250); // the window never stopped the consumer for good
        assertThat(engine.confirm(Q, arr(1), arr()).confirmed()).isEqualTo(1);
        assertThat(engine.stats().get(0).backlog()).isZero();
    }

    @Test
    void aCarriedMessageConfirmedBeforeTheConsumerReachesItDoesNotStretchTheWindow() {
        open(fast().withLimits(10, 40, 16).withRedelivery(Duration.ofHours(1), List.of(Duration.ofHours(1)), 16));
        append(1, 300, Q);
        assertThat(ids(engine.consume(Q, 1))).containsExactly(1L); // held, then carried behind the backlog
        List<Long> got = new ArrayList<>();
        for (int round = 0; round < 200 && got.size() < 299; round++) {
            List<Delivery> ds = engine.consume(Q, 5);
            got.addAll(ids(ds));
            engine.confirm(Q, ids(ds).stream().mapToLong(Long::longValue).toArray(), arr());
            engine.reclaim();
            if (round == 10) {
                assertThat(engine.confirm(Q, arr(1), arr()).confirmed()).isEqualTo(1);
            }
            assertThat(engine.footprint(Q).windowBits()).isLessThanOrEqualTo(40 + 4096 + 64);
        }
        assertThat(got).isEqualTo(java.util.stream.LongStream.rangeClosed(2, 300).boxed().toList());
        assertThat(engine.stats().get(0).backlog()).isZero();
        engine.close();
        open(fast());
        assertThat(engine.consume(Q, 100)).isEmpty();
    }

    @Test
    void memoryDoesNotGrowWithTheBacklog() {
        open(fast().withSegmentBytes(8 * 1024 * 1024).withLimits(100, 1000, 4096));
        append(1, 1000, Q);
        QueueEngine.Footprint small = engine.footprint(Q);
        append(1001, 200_000, Q);
        QueueEngine.Footprint big = engine.footprint(Q);
        assertThat(big.inFlight()).isEqualTo(small.inFlight());
        assertThat(big.windowBits()).isEqualTo(small.windowBits());
        assertThat(big.pendingSegments()).isEqualTo(small.pendingSegments());
        assertThat(big.inFlight() + big.due() + big.windowBits() + big.pendingSegments()).isZero();
        assertThat(big.mappedChunks()).isLessThanOrEqualTo(3);
        assertThat(engine.queueChunks(Q)).isEqualTo(200_000 / 4096 + 1);
        assertThat(engine.stats().get(0).backlog()).isEqualTo(200_000);
        // consuming through it keeps memory bounded too
        for (int i = 0; i < 300; i++) {
            List<Delivery> ds = engine.consume(Q, 100);
            engine.confirm(Q, ids(ds).stream().mapToLong(Long::longValue).toArray(), arr());
        }
        QueueEngine.Footprint after = engine.footprint(Q);
        assertThat(after.inFlight()).isZero();
        assertThat(after.mappedChunks()).isLessThanOrEqualTo(3);
        assertThat(after.windowBits()).isLessThanOrEqualTo(4096 + 64);
        assertThat(engine.stats().get(0).backlog()).isEqualTo(200_000 - 30_000);
        engine.reclaim();
        assertThat(engine.queueChunks(Q)).isLessThanOrEqualTo(200_000 / 4096 + 1 - 30_000 / 4096 + 1);
    }

    @Test
    void backlogSlicesAndReleaseForAHandOver() {
        open(fast());
        append(1, 10, Q, R);
        engine.consume(Q, 3);
        engine.confirm(Q, arr(2), arr());
        LocalQueues.Backlog b = engine.backlog(Q, 0, 4);
        assertThat(b.messages()).extracting(BrokerMessage::id).containsExactly(1L, 3L, 4L, 5L);
        assertThat(b.end()).isFalse();
        LocalQueues.Backlog rest = engine.backlog(Q, b.next(), 100);
        assertThat(rest.messages()).extracting(BrokerMessage::id).containsExactly(6L, 7L, 8L, 9L, 10L);
        assertThat(rest.end()).isTrue();
        assertThat(registry.find("topaz.broker.backlog").tags("app", "app1").gauge().value()).isEqualTo(9);
        engine.release(Q).orTimeout(10, TimeUnit.SECONDS).join();
        assertThat(engine.queues()).containsExactly(R);
        assertThat(registry.find("topaz.broker.backlog").tags("app", "app1").gauge()).isNull();
        assertThat(engine.backlog(Q, 0, 10).messages()).isEmpty();
        assertThat(engine.consume(Q, 10)).isEmpty();
        engine.close();
        open(fast());
        assertThat(engine.queues()).containsExactly(R);
        append(11, 11, Q); // the queue starts afresh
        assertThat(ids(engine.consume(Q, 10))).containsExactly(11L);
        assertThat(engine.stats()).extracting(QueueStats::queue).containsExactly(Q, R);
        assertThat(Map.of("r", engine.stats().get(1).backlog())).containsEntry("r", 10L);
    }
}

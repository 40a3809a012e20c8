package io.topaz.agent.broker.queue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.topaz.agent.broker.BrokerMessage;
import io.topaz.agent.broker.DeadLetter;
import io.topaz.agent.broker.DeadLetterQuery;
import io.topaz.agent.broker.Delivery;
import io.topaz.agent.broker.QueueName;
import io.topaz.agent.broker.store.Durability;
import io.topaz.model.testing.MutableClock;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random sequences of appends (to several queues at once), consumes, confirms, failures, clock moves, reclamations
 * (with segments and queue chunks small enough to be deleted and carried forward) and clean restarts, against a
 * model: each queue's first deliveries come in append order, nothing confirmed comes back, and once drained every
 * appended message was confirmed or dead-lettered in its queue — never lost, never both.
 */
class QueueEnginePropertyTest {

    private static final List<QueueName> QUEUES = List.of(new QueueName("app1", "g1"), new QueueName("app1", "g2"),
            new QueueName("app2", "g1"));

    private static final QueueEngine.Options OPTIONS = QueueEngine.Options.defaults()
            .withDurability(Durability.OS).withSegmentBytes(1024).withLimits(8, 32, 16)
            .withRedelivery(Duration.ofSeconds(10), List.of(Duration.ofSeconds(5)), 4)
            .withReclaimInterval(Duration.ofHours(1));

    @Provide
    Arbitrary<List<Integer>> operations() {
        return Arbitraries.integers().between(0, 1_000_000).list().ofMinSize(5).ofMaxSize(90);
    }

    @Property(tries = 150)
    void everyMessageIsConfirmedOrDeadLetteredInOrderAndNeverLost(@ForAll("operations") List<Integer> ops)
            throws IOException {
        Path dir = Files.createTempDirectory("queue-engine-property");
        MutableClock clock = new MutableClock(Instant.parse("2026-12-06T06:00:00Z"));
        Model model = new Model();
        QueueEngine engine = QueueEngine.open(dir, OPTIONS, clock, new SimpleMeterRegistry(), app -> 0);
        try {
            long nextId = 1;
            for (int op : ops) {
                int kind = op % 100;
                int arg = op / 100;
                QueueName q = QUEUES.get(arg % QUEUES.size());
                if (kind < 30) {
                    List<QueueName> to = new ArrayList<>();
                    int mask = arg % 7 + 1;
                    for (int i = 0; i < QUEUES.size(); i++) {
                        if ((mask & 1 << i) != 0) {
                            to.add(QUEUES.get(i));
                        }
                    }
                    long id = nextId++;
                    engine.append(new BrokerMessage(id, "t" + id % 2, "p", clock.millis(), 7, "nick", "{\"n\":" + id
                            + "}", 0), to).join();
                    to.forEach(x -> model.appended.computeIfAbsent(x, k -> new ArrayList<>()).add(id));
                } else if (kind < 50) {
                    model.consumed(q, engine.consume(q, arg / 3 % 10 + 1));
                } else if (kind < 68) {
                    model.confirmSome(engine, q, arg / 3 % 6 + 1);
                } else if (kind < 73) {
                    List<Long> held = new ArrayList<>(model.held(q));
                    if (!held.isEmpty()) {
                        engine.confirm(q, new long[0], new long[]{held.get(arg / 3 % held.size())});
                    }
                } else if (kind < 85) {
                    clock.advance(Duration.ofSeconds(arg % 30));
                } else if (kind < 93) {
                    engine.reclaim();
                } else {
                    engine.close();
                    engine = QueueEngine.open(dir, OPTIONS, clock, new SimpleMeterRegistry(), app -> 0);
                }
            }
            for (int round = 0; round < 60 && !model.drained(engine); round++) {
                clock.advance(Duration.ofMinutes(1));
                for (QueueName q : QUEUES) {
                    for (List<Delivery> ds = engine.consume(q, 100); !ds.isEmpty(); ds = engine.consume(q, 100)) {
                        model.consumed(q, ds);
                        model.confirmSome(engine, q, ds.size());
                    }
                }
                engine.reclaim();
            }
            assertThat(model.drained(engine)).as("drained").isTrue();
            for (QueueName q : QUEUES) {
                Set<Long> dead = new HashSet<>();
                for (DeadLetter d : engine.deadLetters(new DeadLetterQuery(q.appKey(), null, 0, Long.MAX_VALUE, 0,
                        500)).items()) {
                    if (d.queue().equals(q)) {
                        assertThat(dead.add(d.message().id())).as("dead once").isTrue();
                    }
                }
                Set<Long> confirmed = model.confirmed.getOrDefault(q, Set.of());
                assertThat(java.util.Collections.disjoint(dead, confirmed)).as("dead and confirmed in %s", q).isTrue();
                Set<Long> all = new HashSet<>(dead);
                all.addAll(confirmed);
                assertThat(all).as("every message of %s confirmed or dead", q)
                        .isEqualTo(new HashSet<>(model.appended.getOrDefault(q, List.of())));
            }
        } finally {
            engine.close();
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** What the consumers saw. */
    private static final class Model {
        final Map<QueueName, List<Long>> appended = new HashMap<>();
        final Map<QueueName, Set<Long>> confirmed = new HashMap<>();
        final Map<QueueName, Set<Long>> seen = new HashMap<>();
        final Map<QueueName, Set<Long>> held = new HashMap<>();
        final Map<QueueName, Long> lastFirst = new HashMap<>();

        Set<Long> held(QueueName q) {
            return held.computeIfAbsent(q, k -> new LinkedHashSet<>());
        }

        void consumed(QueueName q, List<Delivery> ds) {
            for (Delivery d : ds) {
                long id = d.message().id();
                assertThat(appended.getOrDefault(q, List.of())).as("delivered to %s", q).contains(id);
                assertThat(confirmed.getOrDefault(q, Set.of())).as("confirmed, delivered again").doesNotContain(id);
                assertThat(d.attempt()).isBetween(1, OPTIONS.maxAttempts());
                assertThat(d.message().content()).isEqualTo("{\"n\":" + id + "}");
                if (seen.computeIfAbsent(q, k -> new HashSet<>()).add(id)) {
                    assertThat(id).as("first deliveries of %s in append order", q)
                            .isGreaterThan(lastFirst.getOrDefault(q, 0L));
                    lastFirst.put(q, id);
                }
                held(q).add(id);
            }
        }

        /** Confirms up to {@code n} held messages one by one: the outcome says whether each was still in flight. */
        void confirmSome(QueueEngine engine, QueueName q, int n) {
            List<Long> ids = new ArrayList<>(held(q));
            for (int i = 0; i < Math.min(n, ids.size()); i++) {
                long id = ids.get(i);
                held(q).remove(id);
                if (engine.confirm(q, new long[]{id}, new long[0]).confirmed() == 1) {
                    assertThat(confirmed.computeIfAbsent(q, k -> new HashSet<>()).add(id)).isTrue();
                }
            }
        }

        boolean drained(QueueEngine engine) {
            return engine.stats().stream().allMatch(s -> s.backlog() == 0);
        }
    }
}

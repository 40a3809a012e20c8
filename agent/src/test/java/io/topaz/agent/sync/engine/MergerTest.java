package io.topaz.agent.sync.engine;

import io.topaz.model.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Merger}: one flush per order per window, time moved by hand. */
class MergerTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final Merger merger = new Merger(clock, 100, 1_000, 10_000);

    @Test
    void changesToOneOrderWithinTheWindowCostOneFlush() {
        assertThat(merger.add(1, 11, 1_000)).isFalse();
        clock.advance(Duration.ofMillis(40));
        assertThat(merger.add(1, 12, 1_040)).isTrue();
        assertThat(merger.add(2, 13, 1_040)).isFalse();
        clock.advance(Duration.ofMillis(59));
        assertThat(merger.add(1, 14, 1_099)).isTrue();

        assertThat(merger.takeDue(10)).isEmpty(); // the window of order 1 closes at 100 ms
        clock.advance(Duration.ofMillis(1));
        List<Merger.Pending> due = merger.takeDue(10);
        assertThat(due).extracting(p -> p.tid).containsExactly(1L);
        assertThat(due.get(0).ids()).containsExactly(11, 12, 14);
        assertThat(due.get(0).maxModifiedMillis).isEqualTo(1_099);

        // a message after the flush opens a new window for the order
        merger.add(1, 15, 1_200);
        clock.advance(Duration.ofMillis(40));
        assertThat(merger.takeDue(10)).extracting(p -> p.tid).containsExactly(2L);
        clock.advance(Duration.ofMillis(100));
        assertThat(merger.takeDue(10)).extracting(p -> p.tid).containsExactly(1L);
        assertThat(merger.orders()).isZero();
        assertThat(merger.messages()).isZero();
    }

    @Test
    void aRedeliveredMessageIsNotCountedTwice() {
        merger.add(7, 70, 0);
        merger.add(7, 70, 0);
        assertThat(merger.messages()).isEqualTo(1);
        clock.advance(Duration.ofMillis(100));
        assertThat(merger.takeDue(1).get(0).ids()).containsExactly(70);
    }

    @Test
    void aZeroWindowFlushesAtOnceAndBatchesAreBounded() {
        Merger now = new Merger(clock, 0, 1_000, 10_000);
        for (long tid = 1; tid <= 5; tid++) {
            now.add(tid, 100 + tid, 0);
        }
        assertThat(now.takeDue(2)).extracting(p -> p.tid).containsExactly(1L, 2L);
        assertThat(now.takeDue(10)).extracting(p -> p.tid).containsExactly(3L, 4L, 5L);
    }

    @Test
    void fullStopsTheConsumerAtTheBoundOfOrdersOrMessages() {
        Merger small = new Merger(clock, 100, 2, 3);
        small.add(1, 1, 0);
        assertThat(small.full()).isFalse();
        small.add(2, 2, 0);
        assertThat(small.full()).isTrue(); // two orders
        clock.advance(Duration.ofMillis(100));
        small.takeDue(10);
        small.add(3, 3, 0);
        small.add(3, 4, 0);
        assertThat(small.full()).isFalse();
        small.add(3, 5, 0);
        assertThat(small.full()).isTrue(); // three messages
        assertThat(small.waiting(3)).isZero();
        assertThat(small.waiting(9)).isEqualTo(-1);
        assertThat(small.takeAll()).hasSize(1);
        assertThat(small.full()).isFalse();
    }
}

package io.topaz.agent.traffic;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SlidingWindowTest {

    @Test
    void countsOnlyTheLastWindow() {
        SlidingWindow w = SlidingWindow.perSecond();
        long t = 1_000_000;
        w.add(t, 3);
        w.add(t + 450, 2);
        assertThat(w.sum(t + 450)).isEqualTo(5);
        assertThat(w.sum(t + 999)).isEqualTo(5);
        assertThat(w.sum(t + 1_000)).isEqualTo(2); // the first bucket left the window
        assertThat(w.sum(t + 1_399)).isEqualTo(2);
        assertThat(w.sum(t + 1_500)).isZero();
    }

    @Test
    void tryAcquireStopsAtTheLimitAndFreesPermitsAsTimeMoves() {
        SlidingWindow w = SlidingWindow.perSecond();
        long t = 5_000;
        for (int i = 0; i < 10; i++) {
            assertThat(w.tryAcquire(t, 10)).isTrue();
        }
        assertThat(w.tryAcquire(t, 10)).isFalse();
        assertThat(w.tryAcquire(t + 999, 10)).isFalse();
        assertThat(w.tryAcquire(t + 1_000, 10)).isTrue();
    }

    @Test
    void aWindowMustSplitIntoWholeBuckets() {
        assertThatThrownBy(() -> new SlidingWindow(Duration.ofMillis(1_005), 10))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Whatever the arrival times, no window of one second ever holds more than the limit. */
    @Property(tries = 200)
    void neverMoreThanTheLimitInAnySecond(@ForAll @Size(min = 1, max = 400) List<@IntRange(min = 0, max = 60) Integer> gaps,
                                          @ForAll @IntRange(min = 1, max = 50) int limit) {
        SlidingWindow w = SlidingWindow.perSecond();
        long t = 10_000;
        List<Long> passed = new ArrayList<>();
        for (int gap : gaps) {
            t += gap;
            if (w.tryAcquire(t, limit)) {
                passed.add(t);
            }
        }
        // the window is bucket-aligned: any interval of 900 ms lies within one window of ten buckets
        for (int i = 0; i < passed.size(); i++) {
            long start = passed.get(i);
            long inWindow = passed.stream().filter(p -> p >= start && p < start + 900).count();
            assertThat(inWindow).isLessThanOrEqualTo(limit);
        }
    }
}

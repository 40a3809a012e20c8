package io.topaz.agent.sync.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongBinaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

class ReconcileSlicesTest {

    /** A cycle whose slices return {@code keys(from, to)} keys, recording the slices asked for. */
    private static final class Recorder implements ReconcileSlices.Cycle {
        final List<long[]> asked = new ArrayList<>();
        final LongBinaryOperator keys;

        Recorder(LongBinaryOperator keys) {
            this.keys = keys;
        }

        @Override
        public Reconciler.Result run(long from, long to) {
            asked.add(new long[]{from, to});
            return new Reconciler.Result(1, 1, Map.of(GroupMetrics.Reason.MISSED_MESSAGE, 1), "keys",
                    (int) keys.applyAsLong(from, to));
        }
    }

    @Test
    void aQuietGroupSoonComparesItsWholeCycleInOneSlice() throws Exception {
        ReconcileSlices slices = new ReconcileSlices(1_000);
        Recorder r = new Recorder((from, to) -> 10);
        slices.start(0, 40_000);
        assertThat(slices.open()).isTrue();
        while (!slices.step(r)) {
            assertThat(r.asked).hasSizeLessThan(10);
        }
        assertThat(slices.open()).isFalse();
        assertThat(r.asked).containsExactly(new long[]{0, 5_000}, new long[]{5_000, 15_000},
                new long[]{15_000, 35_000}, new long[]{35_000, 40_000});
        r.asked.clear();
        slices.start(30_000, 70_000);
        assertThat(slices.step(r)).isTrue();
        assertThat(r.asked).containsExactly(new long[]{30_000, 70_000});
        assertThat(slices.slices()).isEqualTo(1);
    }

    @Test
    void aBusyGroupsSlicesNarrowUntilEachHoldsAboutTheAimedKeysAndTheyCoverTheCycleWithoutGapOrOverlap()
            throws Exception {
        ReconcileSlices slices = new ReconcileSlices(1_000);
        Recorder r = new Recorder((from, to) -> to - from); // a key a millisecond of modification time
        slices.start(0, 40_000);
        while (!slices.step(r)) {
            assertThat(r.asked).hasSizeLessThan(100);
        }
        long covered = 0;
        for (long[] a : r.asked) {
            assertThat(a[0]).isEqualTo(covered);
            covered = a[1];
        }
        assertThat(covered).isEqualTo(40_000);
        // 5,000 keys, then 2,500, then slices of 1,250 (within 500..2,000: kept)
        assertThat(r.asked.get(0)).containsExactly(0, 5_000);
        assertThat(r.asked.get(1)).containsExactly(5_000, 7_500);
        assertThat(r.asked.subList(2, r.asked.size() - 1)).allSatisfy(a -> assertThat(a[1] - a[0]).isEqualTo(1_250));
        assertThat(slices.differences()).isEqualTo(r.asked.size());
        assertThat(slices.repairs()).containsEntry(GroupMetrics.Reason.MISSED_MESSAGE, r.asked.size());

        // the next cycle starts at the learned span, and a quiet spell widens it again
        r.asked.clear();
        slices.start(40_000, 80_000);
        assertThat(slices.step(r)).isFalse();
        assertThat(r.asked).containsExactly(new long[]{40_000, 41_250});
        Recorder quiet = new Recorder((from, to) -> 0);
        while (!slices.step(quiet)) {
            assertThat(quiet.asked).hasSizeLessThan(10);
        }
        assertThat(quiet.asked.get(0)).containsExactly(41_250, 42_500);
        assertThat(quiet.asked.get(1)).containsExactly(42_500, 45_000);
        assertThat(quiet.asked.get(quiet.asked.size() - 1)[1]).isEqualTo(80_000);
    }

    @Test
    void aSliceThatFailsIsComparedAgainAtTheNextStep() throws Exception {
        ReconcileSlices slices = new ReconcileSlices(1_000);
        slices.start(0, 4_000);
        boolean[] fail = {true};
        List<long[]> asked = new ArrayList<>();
        ReconcileSlices.Cycle flaky = (from, to) -> {
            asked.add(new long[]{from, to});
            if (fail[0]) {
                fail[0] = false;
                throw new java.sql.SQLException("connection lost", "08000");
            }
            return new Reconciler.Result(0, 0, Map.of(), "keys", 0);
        };
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> slices.step(flaky))
                .isInstanceOf(java.sql.SQLException.class);
        assertThat(slices.open()).isTrue();
        assertThat(slices.step(flaky)).isTrue();
        assertThat(asked).containsExactly(new long[]{0, 4_000}, new long[]{0, 4_000});
    }
}

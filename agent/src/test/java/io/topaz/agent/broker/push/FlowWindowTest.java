package io.topaz.agent.broker.push;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The flow-control window follows the measured confirmation rate, within its bounds, on a fake clock. */
class FlowWindowTest {

    private static final long MS = 1_000_000L;

    @Test
    void aFastConsumerGetsItsRateTimesTheBudgetUpToTheMaximum() {
        long now = 0;
        FlowWindow w = new FlowWindow(4, 16, 1000, 1.0, now);
        assertThat(w.size(0, now)).isEqualTo(16);
        // 400 confirmations a second, measured over several periods
        for (int period = 0; period < 8; period++) {
            for (int i = 0; i < 100; i++) {
                w.confirmed(now);
            }
            now += 250 * MS;
            w.size(10, now);
        }
        assertThat(w.rate()).isCloseTo(400, org.assertj.core.data.Offset.offset(1.0));
        assertThat(w.size(10, now)).isEqualTo(400);

        FlowWindow capped = new FlowWindow(4, 16, 64, 1.0, 0);
        long t = 0;
        for (int period = 0; period < 4; period++) {
            for (int i = 0; i < 100; i++) {
                capped.confirmed(t);
            }
            t += 250 * MS;
            capped.size(10, t);
        }
        assertThat(capped.size(10, t)).isEqualTo(64);
    }

    @Test
    void aConsumerThatStopsConfirmingShrinksToTheMinimum() {
        long now = 0;
        FlowWindow w = new FlowWindow(4, 16, 1000, 1.0, now);
        for (int i = 0; i < 50; i++) {
            w.confirmed(now);
        }
        now += 250 * MS;
        assertThat(w.size(16, now)).isEqualTo(200);
        for (int period = 0; period < 20; period++) { // messages wait in flight, none confirmed
            now += 250 * MS;
            w.size(200, now);
        }
        assertThat(w.size(200, now)).isEqualTo(4);
    }

    @Test
    void anIdleQueueKeepsTheWindow() {
        long now = 0;
        FlowWindow w = new FlowWindow(4, 16, 1000, 1.0, now);
        for (int i = 0; i < 25; i++) {
            w.confirmed(now);
        }
        now += 250 * MS;
        assertThat(w.size(0, now)).isEqualTo(100);
        for (int period = 0; period < 20; period++) { // nothing in flight, nothing confirmed: nothing to learn
            now += 250 * MS;
            w.size(0, now);
        }
        assertThat(w.size(0, now)).isEqualTo(100);
    }

    @Test
    void boundsAreChecked() {
        assertThatThrownBy(() -> new FlowWindow(0, 1, 2, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FlowWindow(4, 2, 8, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(FlowWindow.forMax(2, 0).size(0, 0)).isEqualTo(2);
    }
}

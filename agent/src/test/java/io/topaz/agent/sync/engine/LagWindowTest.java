package io.topaz.agent.sync.engine;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LagWindowTest {

    @Test
    void quantilesOfTheLastSamplesOnly() {
        LagWindow w = new LagWindow(100);
        assertThat(w.quantile(0.99)).isZero();
        for (int i = 1; i <= 100; i++) {
            w.record(i);
        }
        assertThat(w.quantile(0.5)).isEqualTo(50);
        assertThat(w.quantile(0.99)).isEqualTo(99);
        for (int i = 0; i < 100; i++) {
            w.record(1_000); // the old samples roll out
        }
        assertThat(w.quantile(0.5)).isEqualTo(1_000);
    }
}

package io.topaz.bench.messaging;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SoakLedgerTest {

    @Test
    void countsLostDuplicateAndUnacknowledgedDeliveriesPerApp() {
        SoakDriver.Ledger ledger = new SoakDriver.Ledger(List.of("a", "b"));
        ledger.acknowledged(1);
        ledger.acknowledged(2);
        ledger.acknowledged(3);
        ledger.delivered("a", 1);
        ledger.delivered("a", 2);
        ledger.delivered("a", 2);
        ledger.delivered("a", 3);
        ledger.delivered("a", 4); // its produce failed: delivered anyway, allowed
        ledger.delivered("b", 1);

        List<SoakDriver.AppFigures> figures = ledger.figures();
        SoakDriver.AppFigures a = figures.get(0);
        assertThat(a.lost()).isZero();
        assertThat(a.duplicates()).isEqualTo(1);
        assertThat(a.deliveries()).isEqualTo(5);
        assertThat(a.acknowledgedDelivered()).isEqualTo(3);
        assertThat(a.unacknowledgedDelivered()).isEqualTo(1);
        SoakDriver.AppFigures b = figures.get(1);
        assertThat(b.lost()).isEqualTo(2);
        assertThat(b.firstLost()).containsExactly(2L, 3L);
    }

    @Test
    void aSoakWithoutAcknowledgedMessagesOrWithALossFails() {
        SoakDriver.AppFigures clean = new SoakDriver.AppFigures("a", 10, 10, 0, 0, 0, List.of());
        SoakDriver.AppFigures lossy = new SoakDriver.AppFigures("a", 9, 9, 1, 0, 0, List.of(7L));
        assertThat(report(10, clean).passed()).isTrue();
        assertThat(report(0, new SoakDriver.AppFigures("a", 0, 0, 0, 0, 0, List.of())).passed()).isFalse();
        assertThat(report(10, lossy).passed()).isFalse();
        assertThat(report(10, lossy).summary()).contains("FAILED: 1 acknowledged deliveries lost", "[7]");
    }

    private static SoakDriver.Report report(long acknowledged, SoakDriver.AppFigures app) {
        return new SoakDriver.Report(1, acknowledged, acknowledged, 0, null, List.of(app), List.of(), 0, 0, 0, List.of(), 0);
    }
}

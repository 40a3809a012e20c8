package io.topaz.agent.sync.engine;

import io.topaz.model.placement.SyncAgentLoad;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The bounded top-k of a group's sellers and the minute's rate window, on a caller's clock. */
class HotSellersTest {

    @Test
    void theHotSellersStandOutOfAMillionOthersInBoundedMemory() {
        long t = 1_000_000;
        HotSellers hot = new HotSellers(64, t);
        Random random = new Random(7);
        for (int i = 0; i < 300_000; i++) {
            long now = t + i / 10; // 30 s of traffic
            int dice = random.nextInt(100);
            long seller = dice < 20 ? 42 : dice < 30 ? 43 : 1_000_000 + random.nextInt(1_000_000);
            hot.record(seller, "shop" + seller, now);
            assertThat(hot.slots()).isLessThanOrEqualTo(128);
        }
        List<SyncAgentLoad.SellerLoad> top = hot.top(10, t + 30_000);
        assertThat(top.get(0).sellerId()).isEqualTo(42);
        assertThat(top.get(0).nick()).isEqualTo("shop42");
        assertThat(top.get(1).sellerId()).isEqualTo(43);
        // 20 % of 300,000 changes over about 60 s of window (the previous half and this one)
        assertThat(top.get(0).changesPerSecond()).isBetween(900.0, 2_100.0);
        assertThat(top.size()).isLessThanOrEqualTo(10);
    }

    @Test
    void aSellerQuietForAMinuteLeavesTheList() {
        long t = 5_000_000;
        HotSellers hot = new HotSellers(8, t);
        for (int i = 0; i < 100; i++) {
            hot.record(7, "seven", t + i);
        }
        assertThat(hot.top(10, t + 29_000)).extracting(SyncAgentLoad.SellerLoad::sellerId).containsExactly(7L);
        assertThat(hot.top(10, t + 45_000)).extracting(SyncAgentLoad.SellerLoad::sellerId).containsExactly(7L);
        assertThat(hot.top(10, t + 61_000)).isEmpty();
        hot.record(8, "eight", t + 200_000); // idle for minutes: nothing older is kept
        assertThat(hot.top(10, t + 200_000)).extracting(SyncAgentLoad.SellerLoad::sellerId).containsExactly(8L);
    }

    @Test
    void theRateWindowCountsTheLastMinuteAndItsLagP99() {
        long t = 10_000_000;
        RateWindow w = new RateWindow(t, 1_000);
        for (int s = 0; s < 60; s++) {
            w.add(10, t + s * 1_000L);
            w.lag(s == 59 ? 5_000 : 20, t + s * 1_000L);
        }
        assertThat(w.perSecond(t + 59_500)).isEqualTo(10.0);
        assertThat(w.lagP99(t + 59_500)).isEqualTo(5_000);
        assertThat(w.perSecond(t + 89_500)).isEqualTo(5.0); // the first 30 s left the window
        assertThat(w.perSecond(t + 300_000)).isZero();
        assertThat(w.lagP99(t + 300_000)).isZero();
    }
}

package io.topaz.bench.sync;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The order stream's bursts: an order's changes come back to back while it has not shipped, and b = 0 is unchanged. */
class TradeCenterBurstTest {

    private static final List<TradeCenter.Seller> SELLERS = TradeCenter.sellers(100, 3_400_000_001L, "burst_seller_0");

    @Test
    void withoutBurstsTheStreamIsTheOneOfTheFiveArgumentConstructor() {
        List<String> plain = stream(new TradeCenter(SELLERS, 1.1, 20, 1_000_000_001L, new Random(18)), 2_000);
        List<String> zero = stream(new TradeCenter(SELLERS, 1.1, 20, 0, 1_000_000_001L, new Random(18)), 2_000);

        assertThat(zero).isEqualTo(plain);
    }

    @Test
    void burstsPutChangesOfOneOrderBackToBackAndEndAtShipping() {
        double plain = backToBack(new TradeCenter(SELLERS, 1.1, 20, 0, 1_000_000_001L, new Random(18)));
        double bursty = backToBack(new TradeCenter(SELLERS, 1.1, 20, 0.8, 1_000_000_001L, new Random(18)));

        assertThat(plain).as("back-to-back changes of one order without bursts").isLessThan(0.05);
        assertThat(bursty).as("back-to-back changes of one order with b = 0.8").isGreaterThan(0.4);

        // Without skew over many sellers, two changes of one order meet by chance about once in 20,000; in a burst
        // they follow each other only while the order has not shipped, and each change is later than the one before.
        List<TradeCenter.Seller> many = TradeCenter.sellers(2_000, 3_500_000_001L, "many_seller_0");
        TradeCenter center = new TradeCenter(many, 0, 20, 0.8, 1_000_000_001L, new Random(7));
        TradeCenter.Change previous = null;
        long now = 1_780_000_000_000L;
        int afterShipping = 0;
        int pairs = 0;
        for (int i = 0; i < 20_000; i++) {
            TradeCenter.Change c = center.next(now++);
            if (previous != null && previous.row().tid() == c.row().tid()) {
                pairs++;
                afterShipping += previous.row().status().startsWith("WAIT_") && !previous.row().status()
                        .equals("WAIT_BUYER_CONFIRM_GOODS") ? 0 : 1;
                assertThat(c.row().modified()).isAfter(previous.row().modified());
            }
            previous = c;
        }
        assertThat(pairs).as("back-to-back pairs with b = 0.8").isGreaterThan(5_000);
        assertThat(afterShipping).as("back-to-back pairs after shipping (chance only)").isLessThanOrEqualTo(5);
    }

    @Test
    void aBurstProbabilityOfOneIsRefused() {
        assertThatThrownBy(() -> new TradeCenter(SELLERS, 1.1, 20, 1, 1, new Random(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theGeneratorTakesTheBurstAsAFlag() {
        String[] base = {"--db-url", "jdbc:h2:mem:x", "--broker", "http://127.0.0.1:1", "--token", "t"};
        assertThat(OrderGenerator.parse(base).burst()).isZero();
        String[] withBurst = java.util.stream.Stream.concat(java.util.Arrays.stream(base),
                java.util.stream.Stream.of("--burst", "0.5")).toArray(String[]::new);
        assertThat(OrderGenerator.parse(withBurst).burst()).isEqualTo(0.5);
        String[] tooMuch = java.util.stream.Stream.concat(java.util.Arrays.stream(base),
                java.util.stream.Stream.of("--burst", "1")).toArray(String[]::new);
        assertThatThrownBy(() -> OrderGenerator.parse(tooMuch)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--burst");
    }

    /** The share of changes that are about the same order as the change before. */
    private static double backToBack(TradeCenter center) {
        long now = 1_780_000_000_000L;
        long same = 0;
        long previous = -1;
        for (int i = 0; i < 20_000; i++) {
            long tid = center.next(now++).row().tid();
            same += tid == previous ? 1 : 0;
            previous = tid;
        }
        return same / 20_000.0;
    }

    private static List<String> stream(TradeCenter center, int n) {
        List<String> out = new ArrayList<>(n);
        long now = 1_780_000_000_000L;
        for (int i = 0; i < n; i++) {
            TradeCenter.Change c = center.next(now++);
            out.add(c.row().tid() + " " + c.topic() + " " + c.row().status() + " " + c.row().document());
        }
        return out;
    }
}

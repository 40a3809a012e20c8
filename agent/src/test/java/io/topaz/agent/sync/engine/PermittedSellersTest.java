package io.topaz.agent.sync.engine;

import io.topaz.agent.sync.SellerPermits;
import io.topaz.model.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** The engine's copy of who permitted each app: read once, again on a permit event, and periodically by the clock. */
class PermittedSellersTest {

    /** Answers each read by hand, so a test sees when reads start and what they return. */
    private static final class Reads implements SellerPermits {
        final List<CompletableFuture<List<Seller>>> pending = new ArrayList<>();
        Runnable listener;

        @Override
        public CompletableFuture<List<Seller>> sellers(String appKey) {
            CompletableFuture<List<Seller>> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        }

        @Override
        public void onChange(Runnable l) {
            listener = l;
        }
    }

    private static List<SellerPermits.Seller> sellers(long... ids) {
        List<SellerPermits.Seller> out = new ArrayList<>();
        for (long id : ids) {
            out.add(new SellerPermits.Seller(id, "n" + id, 1));
        }
        return out;
    }

    @Test
    void aListIsReadOnceThenAgainOnAnEventOrWhenTheRefreshPeriodPassed() {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
        Reads reads = new Reads();
        PermittedSellers p = new PermittedSellers(reads, clock, Duration.ofMinutes(5));

        assertThat(p.current("app")).isEmpty(); // not read yet: the groups wait
        assertThat(p.current("app")).isEmpty();
        assertThat(reads.pending).hasSize(1); // one read at a time
        reads.pending.get(0).complete(sellers(1, 2));
        assertThat(p.current("app")).contains(sellers(1, 2));
        assertThat(reads.pending).hasSize(1); // fresh: no read

        reads.listener.run(); // a TMC_USER event
        assertThat(p.current("app")).contains(sellers(1, 2)); // the last list until the new one is in
        assertThat(reads.pending).hasSize(2);
        reads.listener.run(); // another event while reading: that read's answer is already out of date
        reads.pending.get(1).complete(sellers(1, 2, 3));
        assertThat(p.current("app")).contains(sellers(1, 2, 3));
        assertThat(reads.pending).hasSize(3);
        reads.pending.get(2).complete(sellers(1, 3));
        assertThat(p.current("app")).contains(sellers(1, 3));
        assertThat(reads.pending).hasSize(3);

        clock.advance(Duration.ofMinutes(5)); // the safety net
        p.current("app");
        assertThat(reads.pending).hasSize(4);
        reads.pending.get(3).completeExceptionally(new java.io.IOException("control plane down"));
        assertThat(p.current("app")).contains(sellers(1, 3)); // kept; no new read before the retry delay
        assertThat(reads.pending).hasSize(4);
        clock.advance(PermittedSellers.RETRY);
        p.current("app");
        assertThat(reads.pending).hasSize(5);
    }
}

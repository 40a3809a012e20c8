package io.topaz.agent.sync.engine;

import io.topaz.agent.sync.SellerPermits;
import io.topaz.agent.sync.SellerPermits.Seller;
import io.topaz.agent.sync.SellerPermits.UserPermits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.topaz.model.testing.MutableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's copy of who permitted each app: read whole once, then kept current seller by seller on permit events,
 * read whole again after missed events, a failed lookup, a storm of changes, or the refresh period.
 */
class PermittedSellersTest {

    /** Answers each whole read and each seller's lookup by hand, so a test sees when they start and what they return. */
    private static final class Permits implements SellerPermits {
        final List<CompletableFuture<List<Seller>>> reads = new ArrayList<>();
        final List<String> readApps = new ArrayList<>();
        final List<Long> lookedUp = new ArrayList<>();
        final List<CompletableFuture<UserPermits>> lookups = new ArrayList<>();
        Listener listener;

        @Override
        public CompletableFuture<List<Seller>> sellers(String appKey) {
            CompletableFuture<List<Seller>> f = new CompletableFuture<>();
            reads.add(f);
            readApps.add(appKey);
            return f;
        }

        @Override
        public CompletableFuture<UserPermits> permitsOf(long userId) {
            CompletableFuture<UserPermits> f = new CompletableFuture<>();
            lookedUp.add(userId);
            lookups.add(f);
            return f;
        }

        @Override
        public void onChange(Listener l) {
            listener = l;
        }

        CompletableFuture<List<Seller>> lastRead() {
            return reads.get(reads.size() - 1);
        }

        CompletableFuture<UserPermits> lastLookup() {
            return lookups.get(lookups.size() - 1);
        }
    }

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
    private final Permits permits = new Permits();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private PermittedSellers p;

    @BeforeEach
    void create() {
        p = new PermittedSellers(permits, clock, Duration.ofMinutes(5), registry);
    }

    private static Seller seller(long id) {
        return new Seller(id, "n" + id, 1);
    }

    private static List<Seller> sellers(long... ids) {
        List<Seller> out = new ArrayList<>();
        for (long id : ids) {
            out.add(seller(id));
        }
        return out;
    }

    /** A lookup's answer, at version 1 (every event below is version 1 unless it says otherwise). */
    private static UserPermits permitted(long id, String... apps) {
        Map<String, Seller> out = new HashMap<>();
        for (String app : apps) {
            out.put(app, seller(id));
        }
        return new UserPermits(1, out);
    }

    private static final UserPermits NONE = new UserPermits(1, Map.of());

    /** The list of "app", read whole once with {@code ids}. */
    private void readWhole(long... ids) {
        assertThat(p.current("app")).isEmpty();
        permits.lastRead().complete(sellers(ids));
        assertThat(p.current("app")).contains(sellers(ids));
    }

    @Test
    void aListIsReadWholeOnceThenKeptCurrentSellerBySeller() {
        assertThat(p.current("app")).isEmpty(); // not read yet: the groups wait
        assertThat(p.current("app")).isEmpty();
        assertThat(permits.reads).hasSize(1); // one read at a time
        permits.lastRead().complete(sellers(2, 1)); // any order: kept by user id
        List<Seller> first = p.current("app").orElseThrow();
        assertThat(first).isEqualTo(sellers(1, 2));
        assertThat(p.current("app").orElseThrow()).isSameAs(first); // unchanged: the same list, no new read
        assertThat(permits.reads).hasSize(1);

        permits.listener.seller(3, 1); // seller 3 permitted the app
        assertThat(permits.lookedUp).containsExactly(3L);
        assertThat(p.current("app")).contains(sellers(1, 2)); // the last list until the lookup answers
        permits.lastLookup().complete(permitted(3, "app", "other-app"));
        assertThat(p.current("app")).contains(sellers(1, 2, 3));

        permits.listener.seller(1, 1); // seller 1 cancelled
        permits.lastLookup().complete(NONE);
        assertThat(p.current("app")).contains(sellers(2, 3));

        permits.listener.seller(9, 1); // a seller of another app only: nothing changes
        permits.lastLookup().complete(permitted(9, "other-app"));
        assertThat(p.current("app")).contains(sellers(2, 3));
        assertThat(permits.reads).as("no permit event made a whole read").hasSize(1);
        assertThat(count("topaz.sync.permits.reads", "ok")).isEqualTo(1);
        assertThat(count("topaz.sync.permits.lookups", "ok")).isEqualTo(3);
    }

    private double count(String name, String result) {
        return registry.get(name).tag("result", result).counter().count();
    }

    @Test
    void anEventDuringALookupMakesAnotherLookupOfThatSeller() {
        readWhole(1);
        permits.listener.seller(5, 1);
        permits.listener.seller(5, 1); // a second change while the first lookup runs
        permits.listener.seller(5, 1);
        assertThat(permits.lookedUp).containsExactly(5L); // one lookup at a time per seller
        permits.lookups.get(0).complete(permitted(5, "app")); // answered before the second change
        assertThat(permits.lookedUp).containsExactly(5L, 5L); // the later events are looked up once more
        assertThat(p.current("app")).contains(sellers(1, 5));
        permits.lookups.get(1).complete(NONE); // the second change: cancelled
        assertThat(p.current("app")).contains(sellers(1));
        assertThat(permits.lookedUp).hasSize(2);
    }

    @Test
    void aChangeLookedUpDuringAWholeReadStaysOnTopOfThatRead() {
        readWhole(1, 2);
        clock.advance(Duration.ofMinutes(5)); // the safety net: a whole read starts
        p.current("app");
        assertThat(permits.reads).hasSize(2);

        permits.listener.seller(2, 1); // seller 2 cancels while the read runs
        permits.lastLookup().complete(NONE);
        assertThat(p.current("app")).contains(sellers(1));
        permits.lastRead().complete(sellers(1, 2)); // the read had passed seller 2 before the cancel
        assertThat(p.current("app")).as("the later lookup wins over the read").contains(sellers(1));
    }

    @Test
    void aChangeLookedUpBeforeAWholeReadStartedIsInThatRead() {
        readWhole(1, 2);
        permits.listener.seller(3, 1);
        permits.lastLookup().complete(permitted(3, "app"));
        assertThat(p.current("app")).contains(sellers(1, 2, 3));

        clock.advance(Duration.ofMinutes(5));
        p.current("app");
        permits.lastRead().complete(sellers(1, 2)); // seller 3 cancelled since, and that event was lost
        assertThat(p.current("app")).as("the read is newer than the lookup").contains(sellers(1, 2));
    }

    @Test
    void missedEventsOrAFailedLookupMakeAWholeRead() {
        readWhole(1);
        permits.listener.all(); // missed events
        assertThat(p.current("app")).contains(sellers(1)); // the last list until the new one is in
        assertThat(permits.reads).hasSize(2);
        permits.listener.all(); // more while reading: that read's answer is already out of date
        permits.lastRead().complete(sellers(1, 2));
        assertThat(p.current("app")).contains(sellers(1, 2));
        assertThat(permits.reads).hasSize(3);
        permits.lastRead().complete(sellers(1, 2, 4));
        assertThat(p.current("app")).contains(sellers(1, 2, 4));
        assertThat(permits.reads).hasSize(3);

        permits.listener.seller(7, 1);
        permits.lastLookup().completeExceptionally(new IOException("control plane down"));
        p.current("app");
        assertThat(permits.reads).hasSize(4);
        assertThat(count("topaz.sync.permits.lookups", "failed")).isEqualTo(1);
    }

    @Test
    void aStormOfChangesIsReadWholeInsteadOfSellerBySeller() {
        readWhole(1);
        for (long id = 100; id < 100 + PermittedSellers.MAX_LOOKUPS; id++) {
            permits.listener.seller(id, 1);
        }
        assertThat(permits.lookedUp).hasSize(PermittedSellers.MAX_LOOKUPS);
        p.current("app");
        assertThat(permits.reads).hasSize(1);

        permits.listener.seller(5_000, 1); // one more than the lookups that may wait
        assertThat(permits.lookedUp).hasSize(PermittedSellers.MAX_LOOKUPS);
        p.current("app");
        assertThat(permits.reads).hasSize(2);
        assertThat(registry.get("topaz.sync.permits.storms").counter().count()).isEqualTo(1);
        permits.lastRead().complete(sellers(1, 5_000));
        permits.lookups.forEach(f -> f.complete(NONE)); // the earlier lookups still land
        assertThat(p.current("app")).contains(sellers(1, 5_000));
    }

    @Test
    void oneLookupKeepsEveryAppsListCurrent() {
        assertThat(p.current("a")).isEmpty();
        assertThat(p.current("b")).isEmpty();
        assertThat(permits.readApps).containsExactly("a", "b");
        permits.reads.get(0).complete(sellers(1));
        permits.reads.get(1).complete(sellers(2));

        permits.listener.seller(3, 1);
        assertThat(permits.lookedUp).containsExactly(3L);
        permits.lastLookup().complete(permitted(3, "a", "b"));
        assertThat(p.current("a")).contains(sellers(1, 3));
        assertThat(p.current("b")).contains(sellers(2, 3));

        p.retain(java.util.Set.of("a"));
        permits.listener.seller(4, 1);
        permits.lastLookup().complete(permitted(4, "a", "b"));
        assertThat(p.current("a")).contains(sellers(1, 3, 4));
        assertThat(permits.reads).hasSize(2);
    }

    @Test
    void aFailedReadKeepsTheLastListAndIsTriedAgainAfterTheRetryDelay() {
        readWhole(1, 3);
        clock.advance(Duration.ofMinutes(5)); // the safety net
        p.current("app");
        assertThat(permits.reads).hasSize(2);
        permits.lastRead().completeExceptionally(new IOException("control plane down"));
        assertThat(p.current("app")).contains(sellers(1, 3)); // kept; no new read before the retry delay
        assertThat(permits.reads).hasSize(2);
        assertThat(count("topaz.sync.permits.reads", "failed")).isEqualTo(1);
        clock.advance(PermittedSellers.RETRY);
        p.current("app");
        assertThat(permits.reads).hasSize(3);
    }

    @Test
    void anAnswerOlderThanTheEventMakesAWholeRead() {
        readWhole(1);
        permits.listener.seller(2, 7); // the change is version 7
        permits.lastLookup().complete(new UserPermits(6, Map.of())); // a cache tier still had version 6
        assertThat(p.current("app")).contains(sellers(1)); // not applied
        assertThat(permits.reads).hasSize(2);
        assertThat(count("topaz.sync.permits.lookups", "stale")).isEqualTo(1);
        permits.lastRead().complete(sellers(1, 2));
        assertThat(p.current("app")).contains(sellers(1, 2));

        permits.listener.seller(3, 8);
        permits.listener.seller(3, 9); // during the lookup: the next lookup must answer at 9 or later
        permits.lookups.get(1).complete(new UserPermits(8, Map.of("app", seller(3))));
        assertThat(permits.lookedUp).containsExactly(2L, 3L, 3L);
        permits.lastLookup().complete(new UserPermits(9, Map.of()));
        assertThat(p.current("app")).contains(sellers(1, 2));
        assertThat(permits.reads).hasSize(2);
    }

    @Test
    void missedEventsMakeALookupUnderWayRunAgain() {
        readWhole(1, 2);
        permits.listener.seller(2, 1); // its lookup reads "permitted" ...
        permits.listener.all(); // ... then the cancel's event is missed (a gap), and a whole read starts
        p.current("app");
        assertThat(permits.reads).hasSize(2);
        permits.lookups.get(0).complete(permitted(2, "app")); // lands after the read started
        assertThat(permits.lookedUp).as("looked up again: its answer may predate what was missed")
                .containsExactly(2L, 2L);
        permits.lastRead().complete(sellers(1)); // the read saw the cancel
        assertThat(p.current("app")).contains(sellers(1, 2)); // the first lookup's answer is on top, for now
        permits.lastLookup().complete(NONE);
        assertThat(p.current("app")).contains(sellers(1));
    }

    @Test
    void aReadOfAnAppDroppedAndNamedAgainIsDiscarded() {
        readWhole(1, 2);
        clock.advance(Duration.ofMinutes(5));
        p.current("app"); // read 2 starts ...
        p.retain(java.util.Set.of()); // ... the app is dropped from the config, then named again
        assertThat(p.current("app")).isEmpty();
        assertThat(permits.reads).hasSize(3);
        permits.reads.get(2).complete(sellers(1)); // the new read answers first
        permits.reads.get(1).complete(sellers(1, 2)); // the old one, older, answers last
        assertThat(p.current("app")).contains(sellers(1));
    }
}

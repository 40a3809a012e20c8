package io.topaz.agent.sync.engine;

import io.topaz.agent.sync.SellerPermits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The engine's copy of who permitted each target's app ({@link SellerPermits}), one list per app key. A list is read
 * again when a {@code TMC_USER} metadata event says some seller's permits changed (an event during a read makes
 * another read: none is lost), and every {@code refreshEvery} as a safety net against lost events, by the engine's
 * clock; a failed read keeps the last list and is tried again after {@link #RETRY}. Reads run in the background: the
 * engine's control loop takes the lists as they are ({@link #current}) and never waits.
 */
final class PermittedSellers {

    private static final Logger log = LoggerFactory.getLogger(PermittedSellers.class);
    static final Duration RETRY = Duration.ofSeconds(5);

    private record Entry(List<SellerPermits.Seller> sellers, long generation, long readAtMillis) {
    }

    private final SellerPermits permits;
    private final Clock clock;
    private final long refreshMillis;
    private final AtomicLong generation = new AtomicLong();
    private final Map<String, Entry> lists = new ConcurrentHashMap<>();
    private final Map<String, Long> reading = new ConcurrentHashMap<>();
    private final Map<String, Long> failedAt = new ConcurrentHashMap<>();

    PermittedSellers(SellerPermits permits, Clock clock, Duration refreshEvery) {
        this.permits = permits;
        this.clock = clock;
        this.refreshMillis = refreshEvery.toMillis();
        permits.onChange(generation::incrementAndGet);
    }

    /**
     * The last list read for {@code appKey} (empty before the first answer); starts a read in the background when
     * it is out of date (an event since, or older than the refresh period) and none runs.
     */
    Optional<List<SellerPermits.Seller>> current(String appKey) {
        Entry e = lists.get(appKey);
        long now = clock.millis();
        boolean stale = e == null || e.generation() != generation.get() || now - e.readAtMillis() >= refreshMillis;
        Long failed = failedAt.get(appKey);
        if (stale && (failed == null || now - failed >= RETRY.toMillis()) && reading.putIfAbsent(appKey, now) == null) {
            read(appKey);
        }
        return e == null ? Optional.empty() : Optional.of(e.sellers());
    }

    private void read(String appKey) {
        long gen = generation.get();
        permits.sellers(appKey).whenComplete((sellers, err) -> {
            try {
                if (err != null) {
                    failedAt.put(appKey, clock.millis());
                    log.warn("order sync: reading the sellers who permitted app {} failed: {}; keeping the last list",
                            appKey, SyncFailure.why(err));
                    return;
                }
                failedAt.remove(appKey);
                Entry before = lists.put(appKey, new Entry(List.copyOf(sellers), gen, clock.millis()));
                if (before == null || before.sellers().size() != sellers.size()) {
                    log.info("order sync: {} seller(s) permitted app {}", sellers.size(), appKey);
                }
            } finally {
                reading.remove(appKey);
            }
        });
    }

    /** Forgets the apps no sync target names any more. */
    void retain(Set<String> appKeys) {
        lists.keySet().retainAll(appKeys);
        failedAt.keySet().retainAll(appKeys);
    }
}

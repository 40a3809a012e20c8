package io.topaz.agent.traffic;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.LocalDate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * A daily quota counted for the whole cluster in the {@link ClusterCounter}, under a key per rule and day (so the
 * count survives any agent's restart and a new day starts from zero). Permits are taken in batches through
 * {@link LeasedPermits}, a lease per day; a batch that comes back short means the quota is used up for the day.
 *
 * <p>When the counter fails, the agent counts on its local share ({@link LocalQuota}, persisted) and remembers those
 * calls as unsynced; when the counter answers again they are added to it, so the cluster's count includes them.
 * Unused permits of the last batch are given back when the rule goes or the agent stops.
 */
final class ClusterQuota implements LeasedPermits.Source {

    private static final Logger log = LoggerFactory.getLogger(ClusterQuota.class);
    private static final long TTL_MILLIS = TimeUnit.DAYS.toMillis(2);

    private final String rule;
    private final String keyPrefix;
    private final ClusterCounter counter;
    private final QuotaCounts counts;
    private final Clock clock;
    private final IntSupplier members;
    private volatile long limit;

    private ClusterQuota(String rule, String keyPrefix, long limit, ClusterCounter counter, QuotaCounts counts,
                         Clock clock, IntSupplier members) {
        this.rule = rule;
        this.keyPrefix = keyPrefix;
        this.limit = limit;
        this.counter = counter;
        this.counts = counts;
        this.clock = clock;
        this.members = members;
    }

    /** The limiter of the cluster-wide quota rule {@code rule}, counted under {@code keyPrefix} and the day. */
    static Limiter limiter(String rule, String keyPrefix, long limit, ClusterCounter counter, QuotaCounts counts,
                           Clock clock, IntSupplier members, RuleMeters meters, long fallbackRetryMillis) {
        return new LeasedPermits(new ClusterQuota(rule, keyPrefix, limit, counter, counts, clock, members), false,
                new LocalQuota(rule, limit, counts, members, meters, true), meters, fallbackRetryMillis, clock);
    }

    @Override
    public void limit(long newLimit) {
        this.limit = newLimit;
    }

    private String key(long epochDay) {
        return keyPrefix + LocalDate.ofEpochDay(epochDay);
    }

    @Override
    public long period(long nowMillis) {
        return counts.date(nowMillis).toEpochDay();
    }

    @Override
    public long batch() {
        long perAgent = limit / Math.max(1, members.getAsInt());
        return Math.max(1, Math.min(100, perAgent / 1_000));
    }

    /** Also adds the calls passed in a fallback: the counter answers again (after a restart too: they are on disk). */
    @Override
    public CompletableFuture<Long> grant(long day, long want) {
        return counter.acquireOfTotal(key(day), limit, want, TTL_MILLIS).thenApply(granted -> {
            syncFallbackCalls();
            return granted;
        });
    }

    /**
     * A call passed on a cluster lease also counts in this agent's own count of the day, so that a fallback continues
     * from what this agent has passed today instead of granting its whole share again.
     */
    @Override
    public void leased(long nowMillis, int delta) {
        counts.local(rule, nowMillis).addAndGet(delta);
        counts.changed();
    }

    @Override
    public CompletableFuture<?> returnUnused(long day, long unused) {
        return counter.add(key(day), -unused, TTL_MILLIS);
    }

    /** Adds the calls passed in fallback today to the cluster's count. */
    private void syncFallbackCalls() {
        long now = clock.millis();
        AtomicLong unsynced = counts.unsynced(rule, now);
        long n = unsynced.getAndSet(0);
        if (n <= 0) {
            return;
        }
        counts.changed();
        // At least once: an add that timed out after Redis ran it is sent again with the next sync, so a slow Redis can
        // count those calls twice (the quota errs towards refusing, never towards passing more).
        counter.add(key(period(now)), n, TTL_MILLIS).whenComplete((total, err) -> {
            if (err != null) {
                unsynced.addAndGet(n);
                counts.changed();
            } else {
                log.info("quota rule {}: {} calls passed during the fallback added to the cluster count ({} today)",
                        rule, n, total);
            }
        });
    }
}

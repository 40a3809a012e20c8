package io.topaz.agent.traffic;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.LocalDate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;

/**
 * A daily quota counted for the whole cluster in the {@link ClusterCounter}, under a key per rule and day (so the
 * count survives any agent's restart and a new day starts from zero). Permits are taken in batches, as
 * {@link ClusterQps} does; a batch that comes back short means the quota is used up for the day.
 *
 * <p>When the counter fails, the agent counts on its local share ({@link LocalQuota}, persisted) and remembers those
 * calls as unsynced; when the counter answers again they are added to it, so the cluster's count includes them.
 * Unused permits of the last batch are given back when the rule goes or the agent stops.
 */
final class ClusterQuota implements Limiter {

    private static final Logger log = LoggerFactory.getLogger(ClusterQuota.class);
    private static final long TTL_MILLIS = TimeUnit.DAYS.toMillis(2);

    private record Lease(LocalDate day, AtomicLong remaining, boolean usedUp) {
        boolean take() {
            return remaining.getAndDecrement() > 0;
        }
    }

    private record Refill(LocalDate day, CompletableFuture<Lease> future) {
    }

    private static final Lease NONE = new Lease(LocalDate.MIN, new AtomicLong(), false);

    private final String rule;
    private final String keyPrefix;
    private final ClusterCounter counter;
    private final QuotaCounts counts;
    private final Clock clock;
    private final IntSupplier members;
    private final RuleMeters meters;
    private final LocalQuota local;
    private final Fallback fallback;
    private final AtomicReference<Lease> lease = new AtomicReference<>(NONE);
    private final AtomicReference<Refill> refill = new AtomicReference<>();
    private volatile long limit;

    ClusterQuota(String rule, String keyPrefix, long limit, ClusterCounter counter, QuotaCounts counts, Clock clock,
                 IntSupplier members, RuleMeters meters, long fallbackRetryMillis) {
        this.rule = rule;
        this.keyPrefix = keyPrefix;
        this.limit = limit;
        this.counter = counter;
        this.counts = counts;
        this.clock = clock;
        this.members = members;
        this.meters = meters;
        this.local = new LocalQuota(rule, limit, counts, members, meters);
        this.fallback = new Fallback(meters, fallbackRetryMillis);
    }

    @Override
    public void limit(long newLimit) {
        this.limit = newLimit;
        local.limit(newLimit);
        release(); // a lease that found the quota used up under the old limit may not be under the new one
    }

    boolean inFallback() {
        return fallback.active();
    }

    private String key(LocalDate day) {
        return keyPrefix + day;
    }

    long batch() {
        long perAgent = limit / Math.max(1, members.getAsInt());
        return Math.max(1, Math.min(100, perAgent / 1_000));
    }

    @Override
    public CompletableFuture<Boolean> tryAcquire(long nowMillis) {
        if (fallback.local(nowMillis)) {
            return fallbackDecision(nowMillis);
        }
        LocalDate day = counts.date(nowMillis);
        Lease l = lease.get();
        if (l.day.equals(day)) {
            if (l.take()) {
                return passed(nowMillis);
            }
            if (l.usedUp) {
                return BLOCK;
            }
        }
        return refill(day).thenCompose(next -> {
            if (next == null) {
                return fallbackDecision(nowMillis);
            }
            if (next.take()) {
                return passed(nowMillis);
            }
            if (next.usedUp) {
                return BLOCK;
            }
            return tryAcquire(Math.max(nowMillis, clock.millis()));
        });
    }

    /**
     * A call passed on a cluster lease also counts in this agent's own count of the day, so that a fallback continues
     * from what this agent has passed today instead of granting its whole share again.
     */
    private CompletableFuture<Boolean> passed(long nowMillis) {
        counts.local(rule, nowMillis).incrementAndGet();
        counts.changed();
        return PASS;
    }

    private CompletableFuture<Boolean> fallbackDecision(long nowMillis) {
        meters.fallback.increment();
        boolean pass = local.acquire(nowMillis);
        if (pass) {
            counts.unsynced(rule, nowMillis).incrementAndGet();
        }
        return Limiter.of(pass);
    }

    private CompletableFuture<Lease> refill(LocalDate day) {
        while (true) {
            Refill r = refill.get();
            if (r != null && r.day.equals(day) && !r.future.isDone()) {
                return r.future;
            }
            CompletableFuture<Lease> f = new CompletableFuture<>();
            Refill mine = new Refill(day, f);
            if (!refill.compareAndSet(r, mine)) {
                continue;
            }
            long want = batch();
            counter.acquireOfTotal(key(day), limit, want, TTL_MILLIS).whenComplete((granted, err) -> {
                if (err != null || granted == null) {
                    fallback.failed(clock.millis(), err);
                    f.complete(null);
                    return;
                }
                // also after a restart or a new rule: calls passed in a fallback are kept on disk until synced
                if (fallback.succeeded() | counts.unsynced(rule, clock.millis()).get() > 0) {
                    syncFallbackCalls();
                }
                Lease next = new Lease(day, new AtomicLong(granted), granted < want);
                lease.accumulateAndGet(next, (old, n) -> old.day.isAfter(n.day) ? old : n);
                f.complete(next);
            });
            return f;
        }
    }

    /** Adds the calls passed in fallback today to the cluster's count. */
    private void syncFallbackCalls() {
        long now = clock.millis();
        LocalDate day = counts.date(now);
        AtomicLong unsynced = counts.unsynced(rule, now);
        long n = unsynced.getAndSet(0);
        if (n <= 0) {
            return;
        }
        counts.changed();
        // At least once: an add that timed out after Redis ran it is sent again with the next sync, so a slow Redis can
        // count those calls twice (the quota errs towards refusing, never towards passing more).
        counter.add(key(day), n, TTL_MILLIS).whenComplete((total, err) -> {
            if (err != null) {
                unsynced.addAndGet(n);
                counts.changed();
            } else {
                log.info("quota rule {}: {} calls passed during the fallback added to the cluster count ({} today)",
                        rule, n, total);
            }
        });
    }

    @Override
    public CompletableFuture<?> release() {
        Lease l = lease.getAndSet(NONE);
        long unused = l.remaining.getAndSet(0);
        if (l != NONE && unused > 0) {
            return counter.add(key(l.day), -unused, TTL_MILLIS);
        }
        return PASS;
    }

    @Override
    public RuleMeters meters() {
        return meters;
    }
}

package io.topaz.agent.sync.engine;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.topaz.agent.broker.Delivery;
import io.topaz.model.placement.SyncAgentLoad;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One (target, seller group)'s figures, as Micrometer meters {@code topaz.sync.*} tagged {@code target} and
 * {@code group}, and as the numbers of the admin port's {@code GET /sync}. Thread-safe; {@link #close()} removes the
 * meters when the group leaves this agent.
 */
final class GroupMetrics implements AutoCloseable {

    /** Why reconciliation repaired an order (see docs/order-sync.md). */
    enum Reason {
        MISSED_MESSAGE("missed_message"), LOST_WRITE("lost_write"), LATE_MESSAGE("late_message");

        final String tag;

        Reason(String tag) {
            this.tag = tag;
        }
    }

    /** The lag histogram's buckets: the agent's latency buckets, then up to ten minutes (a target down a while). */
    static final Duration[] LAG_BUCKETS = java.util.stream.Stream.concat(
            java.util.Arrays.stream(io.topaz.agent.AgentMetrics.LATENCY_BUCKETS),
            java.util.stream.Stream.of(Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5),
                    Duration.ofMinutes(10))).toArray(Duration[]::new);

    private final MeterRegistry registry;
    private final LagWindow window = new LagWindow(4_096);
    private final List<Meter> meters = new ArrayList<>();
    private final Timer lag;
    private final Counter messages;
    private final Counter orders;
    private final Counter sourceRows;
    private final Counter readsSaved;
    private final Counter writes;
    private final Counter skipped;
    private final Map<Reason, Counter> repairs = new EnumMap<>(Reason.class);
    private final Counter errors;
    private final AtomicLong backfillCopied = new AtomicLong();
    private final AtomicReference<String> backfillState = new AtomicReference<>("pending");
    private final AtomicReference<String> lastError = new AtomicReference<>();
    private final AtomicLong lastReconcileMillis = new AtomicLong(-1);
    private final Counter purged;
    private final Clock clock;
    private final RateWindow minute;
    private final HotSellers hot;

    /** Space-saving slots per half-minute for the hot sellers: the top 10 are exact below this many sellers. */
    static final int HOT_SLOTS = 64;

    GroupMetrics(MeterRegistry registry, String target, String group) {
        this(registry, target, group, Clock.systemUTC());
    }

    GroupMetrics(MeterRegistry registry, String target, String group, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        this.minute = new RateWindow(clock.millis(), 4_096);
        this.hot = new HotSellers(HOT_SLOTS, clock.millis());
        Tags tags = Tags.of("target", target, "group", group);
        lag = add(Timer.builder("topaz.sync.lag").description("source modified to target written (live stream)")
                .tags(tags).serviceLevelObjectives(LAG_BUCKETS).register(registry));
        messages = add(Counter.builder("topaz.sync.messages").description("trade messages consumed")
                .tags(tags).register(registry));
        orders = add(Counter.builder("topaz.sync.orders").description("orders flushed after merging")
                .tags(tags).register(registry));
        sourceRows = add(Counter.builder("topaz.sync.source.rows").description("rows read from the source")
                .tags(tags).register(registry));
        readsSaved = add(Counter.builder("topaz.sync.source.reads.saved").description("orders flushed without a "
                + "source read: their messages announced nothing newer than this group had written").tags(tags)
                .register(registry));
        writes = add(Counter.builder("topaz.sync.writes").description("rows written to the target")
                .tags(tags).register(registry));
        skipped = add(Counter.builder("topaz.sync.writes.skipped")
                .description("rows not written: the target had them (same hashcode) or newer").tags(tags)
                .register(registry));
        for (Reason r : Reason.values()) {
            repairs.put(r, add(Counter.builder("topaz.sync.repairs").description("reconciliation repairs")
                    .tags(tags).tag("reason", r.tag).register(registry)));
        }
        errors = add(Counter.builder("topaz.sync.errors").description("failed or refused operations")
                .tags(tags).register(registry));
        add(Gauge.builder("topaz.sync.merge.ratio", this, GroupMetrics::mergeRatio)
                .description("messages per order flushed").tags(tags).register(registry));
        add(Gauge.builder("topaz.sync.backfill.copied", backfillCopied, AtomicLong::get)
                .description("rows copied by the backfill").tags(tags).register(registry));
        add(Gauge.builder("topaz.sync.backfill.done", this, m -> "done".equals(m.backfillState.get()) ? 1 : 0)
                .description("1 once the backfill is done").tags(tags).register(registry));
        purged = add(Counter.builder("topaz.sync.purged").description("rows deleted at the source purged from the "
                + "target").tags(tags).register(registry));
    }

    private <M extends Meter> M add(M meter) {
        meters.add(meter);
        return meter;
    }

    void messages(int n) {
        messages.increment(n);
    }

    /** Messages consumed: counted, and fed to the last minute's rate and hot sellers. */
    void consumed(List<Delivery> ds) {
        messages.increment(ds.size());
        long now = clock.millis();
        minute.add(ds.size(), now);
        for (Delivery d : ds) {
            hot.record(d.message().userId(), d.message().userNick(), now);
        }
    }

    /**
     * This (target, group)'s load over the last minute, {@code connections} and {@code backlog} given by the caller;
     * at most {@code k} hot sellers.
     */
    SyncAgentLoad.GroupLoad load(int connections, long backlog, int k) {
        long now = clock.millis();
        return new SyncAgentLoad.GroupLoad(Math.round(minute.perSecond(now) * 100) / 100.0, minute.lagP99(now),
                connections, backlog, hot.top(k, now));
    }

    void flushed(int ordersFlushed, int rowsRead) {
        orders.increment(ordersFlushed);
        sourceRows.increment(rowsRead);
    }

    /** {@code n} orders flushed without a source read (their messages are confirmed). */
    void readsSaved(int n) {
        orders.increment(n);
        readsSaved.increment(n);
    }

    void sourceRows(int n) {
        sourceRows.increment(n);
    }

    void written(int written, int skippedRows) {
        writes.increment(written);
        skipped.increment(skippedRows);
    }

    void lag(long millis) {
        lag.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
        window.record(Math.max(0, millis));
        minute.lag(Math.max(0, millis), clock.millis());
    }

    void repaired(Reason reason) {
        repairs.get(reason).increment();
    }

    void error(String message) {
        errors.increment();
        lastError.set(message);
    }

    void backfill(String state, long copied) {
        backfillState.set(state);
        backfillCopied.set(copied);
    }

    void reconciled(long atMillis) {
        lastReconcileMillis.set(atMillis);
    }

    void purged(int n) {
        purged.increment(n);
    }

    double mergeRatio() {
        double o = orders.count();
        return o == 0 ? 0 : messages.count() / o;
    }

    /** The figures of {@code GET /sync}, without the lease's. */
    Snapshot snapshot() {
        long p50 = window.quantile(0.5);
        long p99 = window.quantile(0.99);
        Map<String, Long> r = new java.util.LinkedHashMap<>();
        for (Reason reason : Reason.values()) {
            r.put(reason.tag, (long) repairs.get(reason).count());
        }
        return new Snapshot(p50, p99, (long) messages.count(), (long) sourceRows.count(),
                (long) readsSaved.count(), (long) writes.count(), (long) skipped.count(), r, backfillState.get(),
                backfillCopied.get(), lastReconcileMillis.get(), (long) errors.count(), lastError.get(), mergeRatio(), (long) purged.count());
    }

    record Snapshot(long lagP50Millis, long lagP99Millis, long messages, long sourceReads, long readsSaved,
                    long writes, long skipped, Map<String, Long> repairs, String backfillState, long backfillCopied,
                    long lastReconcileMillis, long errors, String lastError, double mergeRatio, long purged) {

        long repairs(Reason reason) {
            return repairs.getOrDefault(reason.tag, 0L);
        }
    }

    @Override
    public void close() {
        meters.forEach(registry::remove);
    }
}

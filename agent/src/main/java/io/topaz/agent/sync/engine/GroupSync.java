package io.topaz.agent.sync.engine;

import io.topaz.agent.broker.Broker;
import io.topaz.agent.broker.QueueName;
import io.topaz.agent.sync.BucketRange;
import io.topaz.agent.sync.Fence;
import io.topaz.agent.sync.FencedException;
import io.topaz.agent.sync.OrderRow;
import io.topaz.agent.sync.SellerPermits;
import io.topaz.agent.sync.SellerScope;
import io.topaz.agent.sync.SourceOrders;
import io.topaz.agent.sync.TargetOrders;
import io.topaz.model.config.SyncTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;

/**
 * The sync of one (target, seller group) on its holder: each {@link #tick()} (on the sync executor, never an event
 * loop) consumes the group's internal queue, merges changes per order ({@link Merger}), flushes the orders whose
 * window closed ({@link Flusher}: one batched source read, one batched conditional write, then the confirms), and in
 * between runs reconciliation, one backfill page and one purge batch. An error pauses the group with a growing
 * backoff; the messages it held are failed back to the broker (delivered again, dead-lettered after the broker's
 * attempts), so no message is dropped and none blocks the group. Time comes from the clock only.
 *
 * <p>Only the group's sellers who permitted the target's app are copied ({@link SellerScope}): every read of the group
 * (backfill, reconciliation, purge) is limited to them, and a live-stream row of anyone else is not written. The
 * engine hands over the current sellers ({@link #sellers}), which {@link GroupSellers} keeps: a seller who joins is
 * backfilled alone ({@link SellerBackfills}), one who leaves is no longer synced (rows already copied stay).
 */
final class GroupSync {

    private static final Logger log = LoggerFactory.getLogger(GroupSync.class);

    /** Sizes and pacing; {@link #defaults()} for production. */
    record Settings(int consumeMax, int batch, int maxOrders, int maxMessages, Duration brokerTimeout,
                    Duration minBackoff, Duration maxBackoff, Duration settle, Duration overlap, ZoneId platformZone) {
        static Settings defaults() {
            return new Settings(1_000, 500, 20_000, 100_000, Duration.ofSeconds(10), Duration.ofMillis(100),
                    Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofSeconds(10), ZoneId.of("Asia/Shanghai"));
        }
    }

    /** Thrown out of a write when the lease is no longer valid. */
    static final class LeaseLost extends Exception {
        LeaseLost(String message) {
            super(message);
        }
    }

    private final String name;
    private final SyncTarget config;
    private final SyncLeases.Lease lease;
    private final Fence fence;
    private final BucketRange buckets;
    private final GroupSellers sellers;
    private final QueueName queue;
    private final TargetOrders target;
    private final Clock clock;
    private final GroupMetrics metrics;
    private final Settings settings;
    private final Merger merger;
    private final Flusher flusher;
    private final Reconciler reconciler;
    private final Backfill backfill;
    private final PurgeWindow purgeWindow;
    private final WrittenOrders written;
    private GroupState state;
    private boolean schemaReady;
    private boolean backfillRunning = true;
    private long pausedUntil;
    private long backoffMillis;
    private long nextReconcile;
    private final ReconcileSlices slices = new ReconcileSlices(ReconcileSlices.KEYS_PER_SLICE);
    private long nextPurge;
    private volatile boolean stopped;

    /**
     * @param buckets the range group's bucket range, or null for a pin group
     * @param sellers the group's sellers who permitted the target's app now
     */
    GroupSync(SyncTarget config, SyncLeases.Lease lease, BucketRange buckets, List<SellerPermits.Seller> sellers,
              Broker broker, SourceOrders source, TargetOrders target, Clock clock, GroupMetrics metrics,
              Settings settings) throws Exception {
        this.name = config.name() + "/" + lease.fence.group();
        this.config = config;
        this.lease = lease;
        this.fence = lease.fence;
        this.buckets = buckets;
        this.queue = SyncQueues.queue(config.name(), fence.group());
        this.target = target;
        this.clock = clock;
        this.metrics = metrics;
        this.settings = settings;
        this.merger = new Merger(clock, config.mergeWindowMillis(), settings.maxOrders(), settings.maxMessages());
        this.written = new WrittenOrders(clock, 200_000,
                Duration.ofSeconds(Math.max(60, 4L * config.reconcileSeconds())));
        Reconciler.Writer writer = this::write;
        this.flusher = new Flusher(name, broker, queue, source, writer, metrics, clock, settings.brokerTimeout(),
                written, row -> scope().covers(row));
        this.reconciler = new Reconciler(name, source, target, this::scope, new Reconciler.Knowledge() {
            @Override
            public long waiting(long tid) {
                return merger.waiting(tid);
            }

            @Override
            public long written(long tid) {
                return written.newest(tid);
            }
        }, writer, metrics);
        this.state = lease.state();
        Backfill.Store store = new Backfill.Store() {
            @Override
            public GroupState load() {
                return state;
            }

            @Override
            public void save(GroupState s) throws Exception {
                lease.state(s);
                state = s;
            }
        };
        this.backfill = new Backfill(name, source, this::scope, writer, metrics, store, settings.batch(),
                config.backfillDays());
        this.sellers = new GroupSellers(name, buckets, sellers, clock, new SellerBackfills(name, source, writer,
                metrics, settings.batch(), config.backfillDays()), store);
        this.purgeWindow = PurgeWindow.parse(config.purgeWindow());
        metrics.backfill(state.backfill(), state.copied());
        long now = clock.millis();
        this.nextReconcile = now + config.reconcileSeconds() * 1000L;
        if (state.handedOverAt() > 0) {
            // taken over from a holder that handed it over: reconcile the seam as soon as the live stream has
            // caught up past it, not a whole period later
            this.nextReconcile = now + settings.settle().toMillis() + config.mergeWindowMillis();
            log.info("sync {}: taking over from {} (handed over at {}), resuming from reconciled-to {}", name,
                    state.handedOverBy(), state.handedOverAt(), state.reconciledTo());
        }
        this.flusher.attach(merger);
    }

    String name() {
        return name;
    }

    Fence fence() {
        return fence;
    }

    /** The range group's bucket range, or null for a pin group. */
    BucketRange buckets() {
        return buckets;
    }

    /** The sellers synced now. */
    SellerScope scope() {
        return sellers.scope();
    }

    /** Sellers waiting for their own backfill (they joined a running group). */
    int sellersBackfilling() {
        return sellers.backfilling();
    }

    /** The group's sellers who permitted the target's app now; taken at the next tick. */
    void sellers(List<SellerPermits.Seller> sellers) {
        this.sellers.offer(sellers);
    }

    boolean stopped() {
        return stopped;
    }

    /** Whether the lease still holds (false for good once the ZooKeeper session may have ended). */
    boolean leaseValid() {
        return lease.valid();
    }

    /** Whether an incremental reconciliation cycle is open (it compares one slice a tick). */
    synchronized boolean reconciling() {
        return slices.open();
    }

    /** Messages consumed and not yet confirmed (merged, waiting for their window or for a retry). */
    int waitingMessages() {
        return merger.messages();
    }

    /** One round of work; never throws. */
    synchronized void tick() {
        if (stopped) {
            return;
        }
        long now = clock.millis();
        if (now < pausedUntil) {
            return;
        }
        try {
            if (!schemaReady) {
                try {
                    target.ensureSchema();
                } catch (SQLException e) {
                    throw new SyncFailure("checking the target's tables (jdp_tb_trade, jdp_sync_fence)", e);
                }
                schemaReady = true;
            }
            sellers.take();
            flusher.consume(settings.consumeMax(), settings.platformZone());
            flusher.flushDue(settings.batch());
            if (slices.open() || clock.millis() >= nextReconcile) {
                reconcile();
            }
            if (backfillRunning) {
                backfillRunning = backfill.step(clock.millis());
            } else {
                sellers.backfill();
            }
            purge();
            backoffMillis = 0;
        } catch (FencedException | LeaseLost e) {
            log.warn("sync {}: {}; stopping here", name, e.getMessage());
            metrics.error(e.getMessage());
            stopLocked(); // the engine closes the pool and releases the lease (if still this session's)
        } catch (Exception e) {
            String why = e instanceof SyncFailure ? e.getMessage() : SyncFailure.why(e);
            metrics.error(why);
            backoffMillis = backoffMillis == 0 ? settings.minBackoff().toMillis()
                    : Math.min(settings.maxBackoff().toMillis(), backoffMillis * 2);
            pausedUntil = clock.millis() + backoffMillis;
            log.warn("sync {}: {}; retrying in {} ms", name, why, backoffMillis);
        }
    }

    /**
     * The incremental reconciliation: opens a cycle when one is due, then compares one slice of it per tick
     * ({@link ReconcileSlices}), so a busy group's cycle does not stall its live stream; the cycle's end is recorded
     * (and survives a restart) once its last slice was compared.
     */
    private void reconcile() throws Exception {
        long now = clock.millis();
        if (!slices.open()) {
            long to = Math.min(now - settings.settle().toMillis(), flusher.caughtUpMillis())
                    - config.mergeWindowMillis();
            if (to <= state.reconciledTo()) {
                nextReconcile = now + config.reconcileSeconds() * 1000L;
                return; // the live stream has not caught up since the last cycle: nothing new to compare yet
            }
            long from = state.reconciledTo() > 0 ? state.reconciledTo() - settings.overlap().toMillis()
                    : to - 2L * config.reconcileSeconds() * 1000 - settings.overlap().toMillis();
            slices.start(from, to);
        }
        long to = slices.to();
        if (!slices.step(reconciler::cycle)) {
            return; // the next slice at the next tick
        }
        GroupState next = state.withReconciledTo(to);
        lease.state(next);
        state = next;
        metrics.reconciled(clock.millis());
        nextReconcile = now + config.reconcileSeconds() * 1000L;
        if (slices.differences() > 0) {
            log.info("sync {}: reconciliation found {} differences, repaired {} ({}; {} slice(s))", name,
                    slices.differences(), slices.repaired(), slices.repairs(), slices.slices());
        }
    }

    /**
     * A full reconciliation of {@code range} (the group's {@link #scope} or a part of it) over {@code [from, to)} now, repairing
     * what differs, between two ticks (the admin port's on-demand reconciliation).
     */
    synchronized Reconciler.Result reconcileFully(SellerScope range, long fromMillis, long toMillis) throws Exception {
        if (stopped) {
            throw new IllegalStateException("the sync of " + name + " stopped on this agent");
        }
        return reconciler.full(range, fromMillis, toMillis);
    }

    private void purge() throws Exception {
        long now = clock.millis();
        if (now < nextPurge || !purgeWindow.contains(clock.instant())) {
            return;
        }
        checkLease();
        int n = target.purgeDeleted(sellers.scope(), settings.batch(), fence);
        metrics.purged(n);
        if (n < settings.batch()) {
            nextPurge = now + 60_000; // nothing more to purge for now: look again in a minute
        }
    }

    private TargetOrders.WriteResult write(List<OrderRow> rows) throws SQLException, FencedException {
        if (!lease.valid()) {
            throw new FencedException(fence, fence.epoch());
        }
        return target.write(rows, fence);
    }

    private void checkLease() throws LeaseLost {
        if (!lease.valid()) {
            throw new LeaseLost("the lease of " + name + " (epoch " + fence.epoch() + ") was lost");
        }
    }

    /** Stops: fails the waiting messages back to the broker (delivered again to the next holder) and releases. */
    synchronized void stop() {
        stopLocked();
        lease.release();
    }

    /**
     * Stops without releasing the lease (the engine closes the group's pool first, then releases): fails the waiting
     * messages back to the broker.
     */
    synchronized void halt() {
        stopLocked();
    }

    /**
     * A graceful handover (the group was placed on another agent): takes no new message, flushes every merged order
     * now (its window need not have closed) and confirms what was written, then records the position
     * ({@link GroupState#handedOver}: the reconciled-to time and when) for the next holder, and stops — without
     * releasing the lease, which the engine does after closing the group's pool. A flush that fails hands the messages
     * back to the broker instead (delivered again to the next holder), so nothing is skipped either way.
     *
     * @return whether everything merged was written and confirmed
     */
    synchronized boolean handOver() {
        if (stopped) {
            return false;
        }
        boolean clean = false;
        try {
            if (schemaReady && lease.valid()) {
                flusher.flushAll(settings.batch());
                clean = true;
            }
            if (lease.valid()) {
                GroupState next = state.handedOver(clock.millis(), fence.holder());
                lease.state(next);
                state = next;
            }
        } catch (Exception e) {
            log.warn("sync {}: handing over: {}; the waiting messages go back to the broker", name,
                    SyncFailure.why(e));
        }
        stopLocked();
        log.info("sync {} handed over (epoch {}, {})", name, fence.epoch(), clean ? "everything merged was written"
                : "the rest is delivered again to the next holder");
        return clean;
    }

    private void stopLocked() {
        if (stopped) {
            return;
        }
        stopped = true;
        flusher.failAll();
        log.info("sync {} stopped (epoch {})", name, fence.epoch());
    }
}

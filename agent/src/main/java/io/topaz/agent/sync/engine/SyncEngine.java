package io.topaz.agent.sync.engine;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.topaz.agent.broker.Broker;
import io.topaz.agent.broker.LocalQueues;
import io.topaz.agent.sync.BucketRange;
import io.topaz.agent.sync.SellerPermits;
import io.topaz.agent.sync.SourceOrders;
import io.topaz.agent.sync.SyncCredentials;
import io.topaz.agent.sync.db.SyncPools;
import io.topaz.model.config.SyncTarget;
import io.topaz.model.placement.SyncAgentLoad;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The order sync on one agent (one started with {@code --orders-db-url}). Every second, on its own executor, it
 * works out which (target, seller group) of the live release it should run — groups assigned to this agent's cluster
 * and placed on this agent: by the control plane leader's placement ({@link SyncPlacements}), or, where none applies,
 * by rendezvous over the cluster's syncing agents ({@link SyncMembers}) — takes their ZooKeeper leases
 * ({@link SyncLeases}), then opens each group's bounded pool ({@link TargetPools}, its share of the cluster's
 * connection budget) and runs a {@link GroupSync} per group, ticking on the executor. A group placed elsewhere is
 * handed over ({@link GroupSync#handOver}: flushed, confirmed, its position recorded), its pool closed, then its lease
 * released; a group whose lease was lost is stopped the same way without the flush. Every {@code reportEvery} the
 * engine publishes this agent's load ({@link GroupLoads}, {@link LoadReporter}). Each group copies only its sellers who
 * permitted the target's app ({@link PermittedSellers}, split by group and handed to the running groups as they change:
 * {@link SellersByGroup}); a group waits to start until its target's list has been read once.
 */
public final class SyncEngine implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SyncEngine.class);
    /** Connections towards the platform's order database on this agent. */
    static final int SOURCE_CONNECTIONS = 4;
    /** How often the load report is refreshed by default. */
    static final Duration REPORT_EVERY = Duration.ofSeconds(5);

    /** Where the engine runs and what it talks to. */
    public record Context(String agentId, String zone, String cluster, CuratorFramework curator, ZkLayout layout,
                          Broker broker, Supplier<SyncConfig> config, SyncCredentials credentials, SyncStores stores,
                          String ordersDbUrl, Clock clock, MeterRegistry registry, SellerPermits permits) {

        /** An agent without a zone label. */
        public Context(String agentId, String cluster, CuratorFramework curator, ZkLayout layout, Broker broker,
                       Supplier<SyncConfig> config, SyncCredentials credentials, SyncStores stores,
                       String ordersDbUrl, Clock clock, MeterRegistry registry, SellerPermits permits) {
            this(agentId, "", cluster, curator, layout, broker, config, credentials, stores, ordersDbUrl, clock,
                    registry, permits);
        }
    }

    /** How often each target's permitted sellers are read again without an event (a safety net). */
    static final Duration PERMITS_REFRESH = Duration.ofMinutes(5);

    /** A group running here. */
    /** A group running here; {@code passwordDigest}: of the target password its pool was opened with. */
    record Running(GroupSync sync, SyncTarget config, SyncLeases.Lease lease, int share,
                   GroupMetrics metrics, ScheduledFuture<?> ticks, String passwordDigest) {
    }

    private final Context ctx;
    private final GroupSync.Settings settings;
    private final ScheduledExecutorService executor;
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final Map<String, String> problems = new ConcurrentHashMap<>();
    private final SyncLeases leases;
    private final SyncMembers members;
    private final SyncPlacements placements;
    private final TargetPools targets;
    private final LoadReporter reporter;
    private final SyncStatus status;
    private final GroupLoads loads;
    private final SellersByGroup sellersByGroup;
    private final TargetPasswords passwords;
    private HikariDataSource sourcePool;
    private SourceOrders source;

    public SyncEngine(Context ctx, GroupSync.Settings settings, int threads) {
        this.ctx = ctx;
        this.settings = settings;
        AtomicInteger n = new AtomicInteger();
        ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(threads, r -> {
            Thread t = new Thread(r, "topaz-sync-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        ex.setRemoveOnCancelPolicy(true);
        this.executor = ex;
        this.leases = new SyncLeases(ctx.curator(), ctx.layout(), ctx.agentId());
        this.members = new SyncMembers(ctx.curator(), ctx.layout(), ctx.cluster(), ctx.agentId(),
                new SyncAgentLoad(ctx.agentId(), ctx.zone(), ctx.cluster(), ctx.clock().millis(), Map.of()));
        this.placements = new SyncPlacements(ctx.curator(), ctx.layout());
        this.targets = new TargetPools(ctx.stores());
        this.reporter = new LoadReporter(ctx.registry(), members, ctx.agentId(), ctx.zone(), ctx.cluster());
        this.status = new SyncStatus(this);
        this.loads = new GroupLoads(ctx.broker(), targets, reporter);
        this.passwords = new TargetPasswords(ctx.credentials());
        this.sellersByGroup = new SellersByGroup(new PermittedSellers(ctx.permits(), ctx.clock(), PERMITS_REFRESH,
                ctx.registry()));
    }

    /** An engine with the production settings and four sync threads. */
    public static SyncEngine start(Context ctx) {
        SyncEngine e = new SyncEngine(ctx, GroupSync.Settings.defaults(), 4);
        e.start(Duration.ofSeconds(1));
        return e;
    }

    /** How often the load report is refreshed (default 5 s); measured on the context's clock. */
    void reportEvery(Duration every) {
        loads.every(every);
    }

    public void start(Duration controlEvery) {
        sourcePool = SyncPools.open("orders", ctx.ordersDbUrl(), null, "", SOURCE_CONNECTIONS);
        source = ctx.stores().source(sourcePool, ctx.ordersDbUrl());
        members.start();
        placements.start();
        executor.scheduleWithFixedDelay(this::control, 0, controlEvery.toMillis(), TimeUnit.MILLISECONDS);
        log.info("order sync started (agent {}, cluster {}, source {})", ctx.agentId(), ctx.cluster(),
                redact(ctx.ordersDbUrl()));
    }

    /** Places, starts, hands over and stops the groups, and reports the load; runs on the executor. */
    void control() {
        try {
            SyncConfig config = ctx.config().get();
            Map<String, SyncTarget> wanted = new LinkedHashMap<>();
            Map<String, BucketRange> buckets = new HashMap<>();
            Map<String, Integer> shares = new HashMap<>();
            Set<String> live = members.members();
            Map<String, List<SellerPermits.Seller>> sellers = new HashMap<>();
            Set<String> apps = new HashSet<>();
            for (SyncTarget t : config.targets()) {
                apps.add(t.appKey());
                Optional<Map<String, List<SellerPermits.Seller>>> byGroup = sellersByGroup.of(t.appKey(), config);
                for (String g : t.sellerGroups()) {
                    boolean here = config.hasGroup(g) && config.cluster(g).map(ctx.cluster()::equals).orElse(false)
                            && ctx.agentId().equals(placements.owner(t.name(), g, ctx.cluster(), live));
                    if (here) {
                        wanted.put(key(t.name(), g), t);
                        buckets.put(key(t.name(), g), config.buckets(g).orElse(null)); // null: a pin group
                        shares.put(key(t.name(), g), config.share(t, ctx.cluster()));
                        byGroup.ifPresent(m -> sellers.put(key(t.name(), g), m.getOrDefault(g, List.of())));
                    }
                }
            }
            sellersByGroup.retain(apps);
            for (Map.Entry<String, Running> e : running.entrySet()) {
                Running r = e.getValue();
                SyncTarget want = wanted.get(e.getKey());
                if (r.sync().stopped() || !r.sync().leaseValid()) {
                    stop(e.getKey(), false);
                } else if (want == null || !want.equals(r.config())
                        || !Objects.equals(buckets.get(e.getKey()), r.sync().buckets())
                        || shares.get(e.getKey()) != r.share()) {
                    stop(e.getKey(), true); // placed elsewhere, or restarted with the new config / share
                } else if (sellers.containsKey(e.getKey())) {
                    SellersByGroup.offer(r.sync(), sellers.get(e.getKey()));
                }
            }
            for (String key : passwords.changedFor(running)) {
                log.info("order sync of {}: the target's password changed; restarting the group with it", key);
                stop(key, true);
            }
            problems.keySet().retainAll(wanted.keySet());
            if (members.initialized() && placements.initialized()) { // before, a live peer or a placement may be
                // missing, and a group could be started here that belongs elsewhere
                for (Map.Entry<String, SyncTarget> e : wanted.entrySet()) {
                    if (running.containsKey(e.getKey())) {
                        continue;
                    }
                    if (!sellers.containsKey(e.getKey())) {
                        problems.put(e.getKey(), "waiting for the list of sellers who permitted app "
                                + e.getValue().appKey() + " (from the control plane)");
                        continue;
                    }
                    startGroup(e.getKey(), e.getValue(), buckets.get(e.getKey()), shares.get(e.getKey()),
                            sellers.get(e.getKey()));
                }
            }
            loads.reportIfDue(ctx.clock().millis(), running);
        } catch (RuntimeException e) {
            log.warn("order sync: placing groups failed; retrying", e);
        }
    }

    private void startGroup(String key, SyncTarget t, BucketRange b, int share,
                            List<SellerPermits.Seller> sellers) {
        String group = key.substring(key.indexOf('/') + 1);
        GroupMetrics metrics = null;
        Optional<SyncLeases.Lease> lease = Optional.empty();
        try {
            lease = leases.acquire(t.name(), group);
            if (lease.isEmpty()) {
                problems.put(key, "waiting for the lease (held by " + leases.holder(t.name(), group).orElse("?")
                        + ")");
                return;
            }
            // the pool opens only now that the lease is held: the cluster's pools stay within its budget
            String password = passwords.password(t.name());
            TargetPools.Open open = targets.open(t, group, password, share);
            metrics = new GroupMetrics(ctx.registry(), t.name(), group, ctx.clock());
            GroupSync sync = new GroupSync(t, lease.get(), b, sellers, ctx.broker(), source, open.orders(),
                    ctx.clock(), metrics, settings);
            long tick = Math.max(5, Math.min(50, t.mergeWindowMillis() / 4));
            ScheduledFuture<?> f = executor.scheduleWithFixedDelay(sync::tick, 0, tick, TimeUnit.MILLISECONDS);
            running.put(key, new Running(sync, t, lease.get(), share, metrics, f, TargetPasswords.digest(password)));
            problems.remove(key);
            log.info("order sync of target {} group {} runs here (epoch {}, {} connection(s))", t.name(), group,
                    lease.get().fence.epoch(), share);
        } catch (Exception e) {
            targets.close(t.name(), group); // closed before the lease goes
            lease.ifPresent(SyncLeases.Lease::release);
            if (metrics != null) {
                metrics.close();
            }
            String why = "cannot start: " + SyncFailure.why(e);
            if (!why.equals(problems.put(key, why))) {
                log.warn("order sync of target {} group {}: {}", t.name(), group, why);
            }
        }
    }

    /**
     * Stops a group here: a handover ({@code graceful}: flush, confirm, record the position) or a plain stop (the
     * waiting messages go back to the broker); then its pool is closed, and only then its lease released.
     */
    private void stop(String key, boolean graceful) {
        Running r = running.get(key);
        if (r == null) {
            return;
        }
        r.ticks().cancel(false);
        if (graceful) {
            r.sync().handOver();
        } else {
            r.sync().halt();
        }
        r.metrics().close();
        targets.close(r.config().name(), r.lease().fence.group());
        running.remove(key); // listed while the lease is held: GET /sync shows a group being handed over
        r.lease().release();
    }

    /** A broker that can show its local queues (the tests' single-agent broker). */
    public interface LocalView {
        LocalQueues local();
    }

    static String key(String target, String group) {
        return target + "/" + group;
    }

    /** The groups running here now, by {@code target/group}. */
    Map<String, GroupSync> groups() {
        Map<String, GroupSync> out = new LinkedHashMap<>();
        running.forEach((k, r) -> out.put(k, r.sync()));
        return out;
    }

    GroupMetrics metrics(String key) {
        Running r = running.get(key);
        return r == null ? null : r.metrics();
    }

    /** The pool size of a group held here, 0 when none. */
    int poolSize(String key) {
        Running r = running.get(key);
        return r == null ? 0 : r.share();
    }

    /** How a group came here: {@code placement} (the leader's) or {@code rendezvous} (the fallback). */
    String placedBy(String group) {
        return placements.placed(group, ctx.cluster(), members.members()) ? "placement" : "rendezvous";
    }

    /** The last load report. */
    SyncAgentLoad load() {
        return reporter.last();
    }

    Map<String, String> problems() {
        return problems;
    }

    SourceOrders source() {
        return source;
    }

    TargetPools targets() {
        return targets;
    }

    ScheduledExecutorService executor() {
        return executor;
    }

    Clock clock() {
        return ctx.clock();
    }

    /** The admin port's {@code GET /sync} and {@code POST /sync/reconcile}. */
    public SyncStatus status() {
        return status;
    }

    private static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    /** Stops: every group held here is handed over (flushed, its position recorded), its pool closed, then released. */
    @Override
    public void close() {
        executor.shutdown();
        for (String key : running.keySet()) {
            stop(key, true);
        }
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow();
        leases.close();
        reporter.close();
        placements.close();
        try {
            members.close();
        } catch (Exception e) {
            log.debug("closing the sync membership failed", e);
        }
        targets.close();
        if (source != null) {
            source.close();
        }
        if (sourcePool != null) {
            sourcePool.close();
        }
    }
}

package io.topaz.agent.sync.engine;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.topaz.agent.broker.Broker;
import io.topaz.agent.sync.BucketRange;
import io.topaz.agent.sync.SellerPermits;
import io.topaz.agent.sync.SourceOrders;
import io.topaz.agent.sync.SyncCredentials;
import io.topaz.agent.sync.db.SyncPools;
import io.topaz.model.config.SyncTarget;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
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
 * works out which (target, seller group) of the live release it should run — groups assigned to this agent's cluster,
 * placed by rendezvous over the cluster's syncing agents ({@link SyncMembers}) — takes their ZooKeeper leases
 * ({@link SyncLeases}), opens each target's bounded pool ({@link TargetPools}) and runs a {@link GroupSync} per
 * group, ticking on the executor; groups no longer placed here, or whose lease was lost, are stopped and released.
 * Each group copies only its sellers who permitted the target's app ({@link PermittedSellers}, handed to the running
 * groups as they change); a group waits to start until its target's list has been read once.
 */
public final class SyncEngine implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SyncEngine.class);
    /** Connections towards the platform's order database on this agent. */
    static final int SOURCE_CONNECTIONS = 4;

    /** Where the engine runs and what it talks to. */
    public record Context(String agentId, String cluster, CuratorFramework curator, ZkLayout layout, Broker broker,
                          Supplier<SyncConfig> config, SyncCredentials credentials, SyncStores stores,
                          String ordersDbUrl, Clock clock, MeterRegistry registry, SellerPermits permits) {
    }

    /** How often each target's permitted sellers are read again without an event (a safety net). */
    static final Duration PERMITS_REFRESH = Duration.ofMinutes(5);

    private record Running(GroupSync sync, SyncTarget config, GroupMetrics metrics, ScheduledFuture<?> ticks) {
    }

    private final Context ctx;
    private final GroupSync.Settings settings;
    private final ScheduledExecutorService executor;
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final Map<String, String> problems = new ConcurrentHashMap<>();
    private final SyncLeases leases;
    private final SyncMembers members;
    private final TargetPools targets;
    private final SyncStatus status;
    private final PermittedSellers permitted;
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
        this.members = new SyncMembers(ctx.curator(), ctx.layout(), ctx.cluster(), ctx.agentId());
        this.targets = new TargetPools(ctx.stores());
        this.status = new SyncStatus(this);
        this.permitted = new PermittedSellers(ctx.permits(), ctx.clock(), PERMITS_REFRESH);
    }

    /** An engine with the production settings and four sync threads. */
    public static SyncEngine start(Context ctx) {
        SyncEngine e = new SyncEngine(ctx, GroupSync.Settings.defaults(), 4);
        e.start(Duration.ofSeconds(1));
        return e;
    }

    public void start(Duration controlEvery) {
        sourcePool = SyncPools.open("orders", ctx.ordersDbUrl(), null, "", SOURCE_CONNECTIONS);
        source = ctx.stores().source(sourcePool, ctx.ordersDbUrl());
        members.start();
        executor.scheduleWithFixedDelay(this::control, 0, controlEvery.toMillis(), TimeUnit.MILLISECONDS);
        log.info("order sync started (agent {}, cluster {}, source {})", ctx.agentId(), ctx.cluster(),
                redact(ctx.ordersDbUrl()));
    }

    /** Places, starts and stops the groups; runs on the executor. */
    void control() {
        try {
            SyncConfig config = ctx.config().get();
            Map<String, SyncTarget> wanted = new LinkedHashMap<>();
            Map<String, BucketRange> buckets = new HashMap<>();
            Map<String, List<SellerPermits.Seller>> sellers = new HashMap<>();
            Set<String> targetNames = new HashSet<>();
            Set<String> apps = new HashSet<>();
            for (SyncTarget t : config.targets()) {
                apps.add(t.appKey());
                Optional<Map<String, List<SellerPermits.Seller>>> byGroup = permitted.current(t.appKey())
                        .map(l -> byGroup(config, l));
                for (String g : t.sellerGroups()) {
                    boolean here = config.hasGroup(g) && config.cluster(g).map(ctx.cluster()::equals)
                            .orElse(false) && members.mine(t.name(), g);
                    if (here) {
                        wanted.put(key(t.name(), g), t);
                        buckets.put(key(t.name(), g), config.buckets(g).orElse(null)); // null: a pin group
                        byGroup.ifPresent(m -> sellers.put(key(t.name(), g), m.getOrDefault(g, List.of())));
                        targetNames.add(t.name());
                    }
                }
            }
            permitted.retain(apps);
            for (Map.Entry<String, Running> e : running.entrySet()) {
                Running r = e.getValue();
                SyncTarget want = wanted.get(e.getKey());
                if (r.sync().stopped() || want == null || !want.equals(r.config())
                        || !Objects.equals(buckets.get(e.getKey()), r.sync().buckets())) {
                    stop(e.getKey());
                } else if (sellers.containsKey(e.getKey())) {
                    offer(r.sync(), sellers.get(e.getKey()));
                }
            }
            problems.keySet().retainAll(wanted.keySet());
            for (Map.Entry<String, SyncTarget> e : wanted.entrySet()) {
                if (running.containsKey(e.getKey())) {
                    continue;
                }
                if (!sellers.containsKey(e.getKey())) {
                    problems.put(e.getKey(), "waiting for the list of sellers who permitted app "
                            + e.getValue().appKey() + " (from the control plane)");
                    continue;
                }
                startGroup(e.getKey(), e.getValue(), buckets.get(e.getKey()), sellers.get(e.getKey()));
            }
            Map<String, Integer> held = new HashMap<>();
            running.values().forEach(r -> held.merge(r.config().name(), 1, Integer::sum));
            held.forEach(targets::size);
            targets.retain(targetNames);
        } catch (RuntimeException e) {
            log.warn("order sync: placing groups failed; retrying", e);
        }
    }

    /** The permitted sellers of each seller group, by the group that syncs them (pins first). */
    private static Map<String, List<SellerPermits.Seller>> byGroup(SyncConfig config, List<SellerPermits.Seller> all) {
        Map<String, List<SellerPermits.Seller>> out = new HashMap<>();
        for (SellerPermits.Seller s : all) {
            config.groupOf(s.userId()).ifPresent(g -> out.computeIfAbsent(g, k -> new ArrayList<>()).add(s));
        }
        return out;
    }

    /** Hands a running group its sellers when they changed. */
    private static void offer(GroupSync sync, List<SellerPermits.Seller> sellers) {
        Map<Long, String> now = sync.scope().sellers();
        boolean same = now.size() == sellers.size();
        for (int i = 0; same && i < sellers.size(); i++) {
            same = sellers.get(i).nick().equals(now.get(sellers.get(i).userId()));
        }
        if (!same) {
            sync.sellers(sellers);
        }
    }

    private void startGroup(String key, SyncTarget t, BucketRange b, List<SellerPermits.Seller> sellers) {
        String group = key.substring(key.indexOf('/') + 1);
        GroupMetrics metrics = null;
        Optional<SyncLeases.Lease> lease = Optional.empty();
        try {
            TargetPools.Open open = targets.get(t.name());
            if (open == null || !open.config().equals(t)) {
                String password = ctx.credentials().password(t.name()).get(10, TimeUnit.SECONDS);
                open = targets.open(t, password);
            }
            lease = leases.acquire(t.name(), group);
            if (lease.isEmpty()) {
                problems.put(key, "waiting for the lease (held by " + leases.holder(t.name(), group).orElse("?")
                        + ")");
                return;
            }
            metrics = new GroupMetrics(ctx.registry(), t.name(), group);
            GroupSync sync = new GroupSync(t, lease.get(), b, sellers, ctx.broker(), source, open.orders(),
                    ctx.clock(), metrics, settings);
            long tick = Math.max(5, Math.min(50, t.mergeWindowMillis() / 4));
            ScheduledFuture<?> f = executor.scheduleWithFixedDelay(sync::tick, 0, tick, TimeUnit.MILLISECONDS);
            running.put(key, new Running(sync, t, metrics, f));
            problems.remove(key);
            log.info("order sync of target {} group {} runs here (epoch {})", t.name(), group,
                    lease.get().fence.epoch());
        } catch (Exception e) {
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

    private void stop(String key) {
        Running r = running.remove(key);
        if (r == null) {
            return;
        }
        r.ticks().cancel(false);
        r.sync().stop();
        r.metrics().close();
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

    @Override
    public void close() {
        executor.shutdown();
        for (String key : running.keySet()) {
            stop(key);
        }
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow();
        leases.close();
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

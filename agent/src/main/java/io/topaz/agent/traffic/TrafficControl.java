package io.topaz.agent.traffic;

import io.micrometer.core.instrument.MeterRegistry;
import io.topaz.model.config.ApiGroup;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.FlowRule;
import io.topaz.model.config.LimitMode;
import io.topaz.model.config.OverloadRule;
import io.topaz.model.config.QuotaRule;
import io.topaz.model.config.Tier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Traffic control for one agent: the flow rules (QPS per API, per app, per app per API), the daily quotas per app per
 * API group and overload shedding by tier, compiled from each applied release and decided for each call.
 *
 * <p>{@link #admit} decides in this order: overload shedding (cheapest, and it protects the node), the API's QPS
 * limits, the app's, the app-and-API ones, then the quota. Each rule takes its {@link Permit} in turn; a call that a
 * later rule refuses gives back every permit it took, so an app over its own limit spends none of the API's budget
 * that other apps share, and only calls that passed every rule count as passed. A call that
 * passes holds a slot of the {@link OverloadGuard} until {@link #done} is called with its latency. Single-node rules
 * decide at once without allocation; cluster-wide rules wait for the {@link ClusterCounter} only when their local
 * batch of permits is used up, and fall back to the agent's share when it is unreachable.
 *
 * <p>A rule kept from one release to the next keeps its state (window, counts, lease); a changed limit applies at
 * once. Lifecycle: construct, {@link #apply} any number of times, {@link #close()} (safe twice): flushes the quota
 * counts and gives back unused cluster permits.
 */
public final class TrafficControl implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(TrafficControl.class);

    public static final String API_LIMITED = "accesscontrol.limited-by-api-access-count";
    public static final String APP_LIMITED = "accesscontrol.limited-by-app-call-limited";
    public static final String QUOTA_EXCEEDED = "accesscontrol.limited-by-quota-exceeded";
    public static final String OVERLOAD_SHED = "accesscontrol.limited-by-overload-shed";

    /** Why a call is refused: the TOP sub-code, a message saying when to retry, and the Retry-After seconds. */
    public record Rejection(String subCode, String message, long retryAfterSeconds) {
    }

    /** The one answer to a shed call: built once, not on every call while the node is overloaded. */
    private static final CompletableFuture<Rejection> SHED = CompletableFuture.completedFuture(new Rejection(
            OVERLOAD_SHED, "the platform is overloaded and serves more important calls first; retry after 1 s", 1));

    /** One compiled rule: its limiter and what a refusal says. */
    private record Compiled(Map<String, Rule[]> byApi, Map<String, Rule[]> byApp, Map<String, Map<String, Rule[]>> byAppApi,
                            Map<String, Map<String, Rule[]>> quotas, Map<String, Tier> tiers) {
        static final Compiled EMPTY = new Compiled(Map.of(), Map.of(), Map.of(), Map.of(), Map.of());
    }

    private static final Rule[] NONE = new Rule[0];
    private static final CompletableFuture<Rejection> PASS = PermitChain.PASS;

    private final Clock clock;
    private final PermitChain permits = new PermitChain(this::reject);
    private final String cluster;
    private final IntSupplier members;
    private final ClusterCounter counter;
    private final String keyPrefix;
    private final MeterRegistry registry;
    private final QuotaCounts quotaCounts;
    private final OverloadGuard overload;
    private final long fallbackRetryMillis;
    private final ScheduledExecutorService flusher;
    private final Map<String, Rule> live = new HashMap<>();
    private volatile Compiled compiled = Compiled.EMPTY;
    private volatile boolean closed;
    private long appliedRelease = -1;
    private volatile long lastMillis;

    /**
     * @param members   live agents of this agent's cluster (for the local share), at least 1
     * @param counter   the cluster counter, or null when none is configured (cluster-wide rules then run on the
     *                  local share, and say so in metrics)
     * @param keyPrefix prefix of the cluster counter's keys
     */
    public TrafficControl(Clock clock, ZoneId zone, String cluster, IntSupplier members, ClusterCounter counter,
                          String keyPrefix, Path dataDir, MeterRegistry registry) {
        this(clock, zone, cluster, members, counter, keyPrefix, dataDir, registry, Duration.ofSeconds(1), true);
    }

    TrafficControl(Clock clock, ZoneId zone, String cluster, IntSupplier members, ClusterCounter counter,
                   String keyPrefix, Path dataDir, MeterRegistry registry, Duration fallbackRetry,
                   boolean flushEverySecond) {
        this.clock = clock;
        this.cluster = cluster;
        this.members = members;
        this.counter = counter;
        this.keyPrefix = keyPrefix + "traffic:" + cluster + ":";
        this.registry = registry;
        this.fallbackRetryMillis = fallbackRetry.toMillis();
        this.quotaCounts = new QuotaCounts(dataDir.resolve("traffic").resolve("quota-counts.properties"), zone,
                clock.millis());
        this.overload = new OverloadGuard(registry);
        if (flushEverySecond) {
            flusher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "topaz-quota-flush");
                t.setDaemon(true);
                return t;
            });
            flusher.scheduleWithFixedDelay(quotaCounts::flush, 1, 1, TimeUnit.SECONDS);
        } else {
            flusher = null;
        }
    }

    /** Compiles the traffic rules of {@code snapshot}; rules kept by id keep their state. */
    public synchronized void apply(ConfigSnapshot snapshot) {
        if (closed || snapshot.release() < appliedRelease) {
            return; // an older release arriving late (listener and start-up racing): the newer one stays
        }
        appliedRelease = snapshot.release();
        Map<String, Rule> next = new HashMap<>();
        Map<String, Rule[]> byApi = new HashMap<>();
        Map<String, Rule[]> byApp = new HashMap<>();
        Map<String, Map<String, Rule[]>> byAppApi = new HashMap<>();
        Map<String, Map<String, Rule[]>> quotas = new HashMap<>();
        for (FlowRule f : snapshot.flowRules().values()) {
            Rule r = flowRule(f);
            next.put("flow:" + f.id(), r);
            switch (f.scope()) {
                case API -> add(byApi, f.method(), r);
                case APP -> add(byApp, f.appKey(), r);
                case APP_API -> add(byAppApi.computeIfAbsent(f.appKey(), k -> new HashMap<>()), f.method(), r);
            }
        }
        for (QuotaRule q : snapshot.items(ConfigKind.QUOTA_RULES).values()) {
            Rule r = quotaRule(q);
            next.put("quota:" + q.id(), r);
            add(quotas.computeIfAbsent(q.appKey(), k -> new HashMap<>()), q.apiGroup(), r);
        }
        Map<String, Tier> tiers = new HashMap<>();
        for (ApiGroup g : snapshot.items(ConfigKind.API_GROUPS).values()) {
            tiers.put(g.name(), g.tier());
        }
        OverloadRule shed = null; // this cluster's own rule, else the first rule for every cluster
        for (OverloadRule o : snapshot.items(ConfigKind.OVERLOAD_RULES).values()) {
            if (o.cluster().equals(cluster)) {
                shed = o;
                break;
            }
            if (o.cluster().isEmpty() && shed == null) {
                shed = o;
            }
        }
        for (Map.Entry<String, Rule> old : live.entrySet()) {
            Rule kept = next.get(old.getKey());
            if (kept == null || kept.limiter() != old.getValue().limiter()) {
                old.getValue().limiter().release();
                if (kept == null || kept.limiter().meters() != old.getValue().limiter().meters()) {
                    old.getValue().limiter().meters().remove(registry);
                }
            }
        }
        live.clear();
        live.putAll(next);
        overload.rule(shed);
        compiled = new Compiled(Map.copyOf(byApi), Map.copyOf(byApp), freeze(byAppApi), freeze(quotas),
                Map.copyOf(tiers));
        log.info("traffic control: release {}: {} flow rules, {} quota rules, {} API group tiers, overload rule {}",
                snapshot.release(), snapshot.flowRules().size(), snapshot.items(ConfigKind.QUOTA_RULES).size(),
                tiers.size(), shed == null ? "none" : shed.id());
    }

    private Rule flowRule(FlowRule f) {
        Rule old = live.get("flow:" + f.id());
        String what = switch (f.scope()) {
            case API -> f.method() + " is limited to " + f.qps() + " calls per second";
            case APP -> "app " + f.appKey() + " is limited to " + f.qps() + " calls per second";
            case APP_API -> "app " + f.appKey() + " may call " + f.method() + " " + f.qps() + " times per second";
        } + (f.mode() == LimitMode.CLUSTER ? " on this cluster" : "");
        String sub = f.scope() == io.topaz.model.config.FlowScope.API ? API_LIMITED : APP_LIMITED;
        if (old != null && old.mode() == f.mode() && old.subCode().equals(sub)) {
            old.limiter().limit(f.qps());
            return new Rule("flow", f.id(), f.mode(), old.limiter(), sub, what, f.qps());
        }
        RuleMeters m = old != null ? old.limiter().meters() : new RuleMeters(registry, "flow", f.id());
        Limiter limiter = f.mode() == LimitMode.CLUSTER && counter != null
                ? ClusterQps.limiter(keyPrefix + "flow:{" + f.id() + "}", f.qps(), counter, clock, members, m,
                fallbackRetryMillis)
                : new LocalQps(f.qps(), members, m);
        if (f.mode() == LimitMode.CLUSTER && counter == null) {
            m.fallbackActive.set(1);
        }
        return new Rule("flow", f.id(), f.mode(), limiter, sub, what, f.qps());
    }

    private Rule quotaRule(QuotaRule q) {
        Rule old = live.get("quota:" + q.id());
        String what = "app " + q.appKey() + " may call the API group " + q.apiGroup() + " " + q.dailyLimit()
                + " times a day" + (q.mode() == LimitMode.CLUSTER ? " on this cluster" : "");
        if (old != null && old.mode() == q.mode()) {
            old.limiter().limit(q.dailyLimit());
            return new Rule("quota", q.id(), q.mode(), old.limiter(), QUOTA_EXCEEDED, what, q.dailyLimit());
        }
        RuleMeters m = old != null ? old.limiter().meters() : new RuleMeters(registry, "quota", q.id());
        Limiter limiter = q.mode() == LimitMode.CLUSTER && counter != null
                ? ClusterQuota.limiter(q.id(), keyPrefix + "quota:{" + q.id() + "}:", q.dailyLimit(), counter,
                quotaCounts, clock, members, m, fallbackRetryMillis)
                : new LocalQuota(q.id(), q.dailyLimit(), quotaCounts, members, m, false);
        if (q.mode() == LimitMode.CLUSTER && counter == null) {
            m.fallbackActive.set(1);
        }
        return new Rule("quota", q.id(), q.mode(), limiter, QUOTA_EXCEEDED, what, q.dailyLimit());
    }

    private static void add(Map<String, Rule[]> index, String key, Rule r) {
        Rule[] cur = index.getOrDefault(key, NONE);
        Rule[] more = java.util.Arrays.copyOf(cur, cur.length + 1);
        more[cur.length] = r;
        index.put(key, more);
    }

    private static Map<String, Map<String, Rule[]>> freeze(Map<String, Map<String, Rule[]>> m) {
        Map<String, Map<String, Rule[]>> out = new HashMap<>();
        m.forEach((k, v) -> out.put(k, Map.copyOf(v)));
        return Map.copyOf(out);
    }

    /** The tier of an API group ({@link Tier#NORMAL} when it has none). */
    public Tier tier(String apiGroup) {
        return apiGroup == null ? Tier.NORMAL : compiled.tiers.getOrDefault(apiGroup, Tier.NORMAL);
    }

    /**
     * Decides one call. Completes with null when it may go on — it then holds an in-flight slot until
     * {@link #done} — or with the rejection.
     */
    public CompletableFuture<Rejection> admit(String method, String appKey, String apiGroup) {
        Compiled c = compiled;
        long now = now();
        Tier tier = tier(apiGroup);
        if (!overload.tryEnter(tier, now)) {
            return SHED;
        }
        Rule[] api = method == null ? NONE : c.byApi.getOrDefault(method, NONE);
        Rule[] app = appKey == null ? NONE : c.byApp.getOrDefault(appKey, NONE);
        Rule[] appApi = NONE;
        Rule[] quota = NONE;
        if (appKey != null) {
            Map<String, Rule[]> m = c.byAppApi.get(appKey);
            if (m != null && method != null) {
                appApi = m.getOrDefault(method, NONE);
            }
            Map<String, Rule[]> q = c.quotas.get(appKey);
            if (q != null && apiGroup != null) {
                quota = q.getOrDefault(apiGroup, NONE);
            }
        }
        if (api.length + app.length + appApi.length + quota.length == 0) {
            return PASS;
        }
        Rule[][] lists = {api, app, appApi, quota};
        CompletableFuture<Rejection> decision;
        try {
            decision = permits.take(lists, now);
        } catch (RuntimeException e) {
            overload.exit(now, -1);
            throw e;
        }
        if (decision.isDone() && !decision.isCompletedExceptionally()) { // the single-node path: no more futures
            if (decision.join() != null) {
                overload.exit(now, -1);
            }
            return decision;
        }
        return decision.whenComplete((rejection, err) -> {
            if (rejection != null || err != null) {
                overload.exit(now, -1);
            }
        });
    }

    private Rejection reject(Rule r, long now) {
        String what = r.what();
        int nodes = Math.max(1, members.getAsInt());
        if (r.mode() == LimitMode.SINGLE_NODE && nodes > 1) {
            what += " (" + Share.of(r.limit(), members) + " on each of " + nodes + " nodes)";
        }
        if (r.kind().equals("quota")) {
            long seconds = (quotaCounts.millisToMidnight(now) + 999) / 1_000;
            return new Rejection(r.subCode(), what + "; the quota is used up for today and resets at "
                    + "00:00 " + quotaCounts.zone().getId() + ", in " + seconds + " s", seconds);
        }
        return new Rejection(r.subCode(), what + "; retry after 1 s", 1);
    }

    /** A call admitted by {@link #admit} is answered after {@code latencyNanos}. */
    public void done(long latencyNanos) {
        overload.exit(now(), latencyNanos);
    }

    /**
     * The clock's time, never earlier than a time already used: windows count by time, and a wall clock stepped back
     * would hide recent calls from them. (Written only when the millisecond changes, so event loops rarely contend.)
     */
    private long now() {
        long now = clock.millis();
        long last = lastMillis;
        if (now < last) {
            return last;
        }
        if (now > last) {
            lastMillis = now;
        }
        return now;
    }

    /** Calls admitted and not yet answered. */
    public int inFlight() {
        return overload.inFlight();
    }

    /** Whether the rule {@code kind:id} ({@code flow} or {@code quota}) runs on the local share now. */
    public boolean inFallback(String kind, String id) {
        Rule r;
        synchronized (this) {
            r = live.get(kind + ":" + id);
        }
        if (r == null) {
            return false;
        }
        return r.mode() == LimitMode.CLUSTER && (counter == null || r.limiter().inFallback());
    }

    /** Whether a cluster counter is configured and connected. */
    public boolean clusterCounterReady() {
        return counter != null && counter.ready();
    }

    /** Writes the quota counts now (also done every second and on close). */
    public void flushQuotaCounts() {
        quotaCounts.flush();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (flusher != null) {
            flusher.shutdownNow();
        }
        CompletableFuture<?>[] givenBack = live.values().stream().map(r -> r.limiter().release())
                .toArray(CompletableFuture[]::new);
        quotaCounts.flush();
        if (counter != null) {
            try {
                CompletableFuture.allOf(givenBack).get(1, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.debug("unused cluster permits not all given back", e);
            }
            counter.close();
        }
    }
}

package io.topaz.bench.traffic;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.topaz.agent.traffic.RedisClusterCounter;
import io.topaz.agent.traffic.TrafficControl;
import io.topaz.model.config.ApiGroup;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.FlowRule;
import io.topaz.model.config.FlowScope;
import io.topaz.model.config.LimitMode;
import io.topaz.model.config.OverloadRule;
import io.topaz.model.config.Tier;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Traffic-control accuracy and priority, on the real {@link TrafficControl} (and the real Redis for cluster mode),
 * with an open-model paced load on the system clock:
 * <ul>
 *   <li>{@code single}: one agent, a per-API limit of {@code limit} QPS, offered 2× for {@code seconds}: passed QPS
 *       against the limit (target ±5 %);</li>
 *   <li>{@code cluster}: three agents, each with its own Redis connection, a cluster-wide limit, offered 2× in all
 *       (2/3 of the limit each): total passed QPS (target ±10 %);</li>
 *   <li>{@code priority}: overload shedding in front of a service of fixed capacity ({@code slots} calls at once,
 *       10 ms each), offered 3× its capacity, 20 % critical, 30 % normal, 50 % low: success per tier (target ≥ 99 %
 *       of critical calls pass while low is shed).</li>
 * </ul>
 * Run: {@code scripts/bench-traffic.sh [single|cluster|priority|all|cluster-async] [seconds]}; {@code cluster-async}
 * is the cluster run with calls that do not wait for one another (as a gateway's event loops), for diagnosis.
 */
public final class TrafficBench {

    public static void main(String[] args) throws Exception {
        String what = args.length > 0 ? args[0] : "all";
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        String redis = System.getProperty("redis", "redis://127.0.0.1:6379/0");
        if (what.equals("single") || what.equals("all")) {
            single(2_000, seconds);
        }
        if (what.equals("cluster") || what.equals("all")) {
            cluster(3_000, seconds, redis);
        }
        if (what.equals("cluster-async")) {
            clusterAsync(1_500, seconds, redis);
        }
        if (what.equals("priority") || what.equals("all")) {
            priority(64, seconds);
        }
    }

    static TrafficControl agent(String cluster, int members, RedisClusterCounter counter, String prefix)
            throws Exception {
        Path dir = Files.createTempDirectory("traffic-bench");
        return new TrafficControl(Clock.systemUTC(), ZoneId.of("Asia/Shanghai"), cluster, () -> members, counter,
                prefix, dir, new SimpleMeterRegistry());
    }

    /** Offers {@code rate} calls per second to {@code call} for {@code seconds}; counts passes per second. */
    static long[] offer(int rate, int seconds, int threads, java.util.function.IntPredicate call) throws Exception {
        AtomicLongArray passedPerSecond = new AtomicLongArray(seconds + 2);
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        double interval = 1e9 * threads / rate;
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                long next = start + (long) (interval * id / threads);
                int n = 0;
                while (next < end) {
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    if (call.test(n++)) {
                        int sec = (int) ((next - start) / 1_000_000_000L);
                        passedPerSecond.incrementAndGet(sec);
                    }
                    next += (long) interval;
                }
                done.countDown();
            }, "load-" + t);
            th.start();
        }
        if (!done.await(seconds + 60L, TimeUnit.SECONDS)) {
            throw new IllegalStateException("load did not finish");
        }
        long[] out = new long[seconds];
        for (int i = 0; i < seconds; i++) {
            out[i] = passedPerSecond.get(i);
        }
        return out;
    }

    static void report(String name, long[] perSecond, long limit) {
        long sum = 0;
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 1; i < perSecond.length; i++) { // the first second includes the start
            sum += perSecond[i];
            min = Math.min(min, perSecond[i]);
            max = Math.max(max, perSecond[i]);
        }
        double mean = (double) sum / (perSecond.length - 1);
        System.out.printf(Locale.ROOT, "%s: limit %d QPS, passed %.1f QPS on average (%+.2f %%), per second min %d max %d,"
                + " over %d s%n", name, limit, mean, 100.0 * (mean - limit) / limit, min, max, perSecond.length - 1);
    }

    static void single(int limit, int seconds) throws Exception {
        try (TrafficControl t = agent("bench", 1, null, "bench:")) {
            t.apply(ConfigSnapshot.builder(1).put(ConfigKind.FLOW_RULES,
                    new FlowRule("api", FlowScope.API, "taobao.time.get", null, limit, LimitMode.SINGLE_NODE)).build());
            long[] passed = offer(2 * limit, seconds, 4, n -> decide(t, "taobao.time.get", "basic"));
            report("single node, offered 2x", passed, limit);
        }
    }

    static void cluster(int limit, int seconds, String redis) throws Exception {
        String prefix = "topaz-bench:" + UUID.randomUUID() + ":";
        List<TrafficControl> agents = new ArrayList<>();
        ConfigSnapshot rules = ConfigSnapshot.builder(1).put(ConfigKind.FLOW_RULES,
                new FlowRule("api", FlowScope.API, "taobao.time.get", null, limit, LimitMode.CLUSTER)).build();
        for (int i = 0; i < 3; i++) {
            TrafficControl t = agent("bench", 3, new RedisClusterCounter(redis, prefix, Duration.ofMillis(100)),
                    prefix);
            t.apply(rules);
            agents.add(t);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!agents.stream().allMatch(TrafficControl::clusterCounterReady)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Redis " + redis + " not reachable");
            }
            Thread.sleep(50);
        }
        long[][] each = new long[3][];
        Thread[] runners = new Thread[3];
        for (int i = 0; i < 3; i++) {
            int a = i;
            runners[i] = new Thread(() -> {
                try {
                    each[a] = offer(2 * limit / 3, seconds, 2, n -> decide(agents.get(a), "taobao.time.get", "basic"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            runners[i].start();
        }
        for (Thread r : runners) {
            r.join();
        }
        long[] total = new long[seconds];
        for (long[] e : each) {
            for (int s = 0; s < seconds; s++) {
                total[s] += e[s];
            }
        }
        for (int i = 0; i < 3; i++) {
            report("  agent " + (i + 1) + " (offered 2/3 of the limit)", each[i], limit / 3);
        }
        report("cluster of 3 agents on Redis, offered 2x in all", total, limit);
        agents.forEach(TrafficControl::close);
    }

    /** As {@link #cluster}, but calls do not wait for each other's decisions (as a gateway's event loops do not). */
    static void clusterAsync(int limit, int seconds, String redis) throws Exception {
        String prefix = "topaz-bench:" + UUID.randomUUID() + ":";
        List<TrafficControl> agents = new ArrayList<>();
        ConfigSnapshot rules = ConfigSnapshot.builder(1).put(ConfigKind.FLOW_RULES,
                new FlowRule("api", FlowScope.API, "taobao.time.get", null, limit, LimitMode.CLUSTER)).build();
        for (int i = 0; i < 3; i++) {
            TrafficControl t = agent("bench", 3, new RedisClusterCounter(redis, prefix, Duration.ofMillis(250)), "");
            t.apply(rules);
            agents.add(t);
        }
        while (!agents.stream().allMatch(TrafficControl::clusterCounterReady)) {
            Thread.sleep(50);
        }
        AtomicLong passed = new AtomicLong();
        AtomicLong decided = new AtomicLong();
        Thread[] runners = new Thread[3];
        for (int i = 0; i < 3; i++) {
            int a = i;
            runners[i] = new Thread(() -> {
                try {
                    offer(2 * limit / 3, seconds, 2, n -> {
                        agents.get(a).admit("taobao.time.get", "app1", "basic").whenComplete((r, e) -> {
                            decided.incrementAndGet();
                            if (r == null && e == null) {
                                passed.incrementAndGet();
                                agents.get(a).done(1_000_000);
                            }
                        });
                        return false;
                    });
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            runners[i].start();
        }
        for (Thread r : runners) {
            r.join();
        }
        Thread.sleep(1_000);
        System.out.printf(Locale.ROOT, "cluster async: limit %d, passed %.1f QPS over %d s (decided %d)%n", limit,
                passed.get() / (double) seconds, seconds, decided.get());
        agents.forEach(TrafficControl::close);
    }

    static boolean decide(TrafficControl t, String method, String group) {
        TrafficControl.Rejection r = t.admit(method, "app1", group).join();
        if (r == null) {
            t.done(1_000_000);
            return true;
        }
        return false;
    }

    static void priority(int slots, int seconds) throws Exception {
        int serviceMillis = 10;
        int capacity = slots * 1_000 / serviceMillis; // calls per second the service can answer
        try (TrafficControl t = agent("bench", 1, null, "bench:")) {
            t.apply(ConfigSnapshot.builder(1)
                    .put(ConfigKind.API_GROUPS, new ApiGroup("trade", Tier.CRITICAL, null))
                    .put(ConfigKind.API_GROUPS, new ApiGroup("stats", Tier.LOW, null))
                    .put(ConfigKind.OVERLOAD_RULES, new OverloadRule("default", "", slots, 50, 20, 50))
                    .build());
            ScheduledExecutorService service = Executors.newScheduledThreadPool(2);
            String[] groups = {"trade", "trade", "basic", "basic", "basic", "stats", "stats", "stats", "stats", "stats"};
            AtomicLong[] offered = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
            AtomicLong[] passed = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
            offer(3 * capacity, seconds, 4, n -> {
                String g = groups[java.util.concurrent.ThreadLocalRandom.current().nextInt(groups.length)];
                int tier = g.equals("trade") ? 0 : g.equals("basic") ? 1 : 2;
                offered[tier].incrementAndGet();
                long begin = System.nanoTime();
                TrafficControl.Rejection r = t.admit("taobao." + g + ".get", "app1", g).join();
                if (r != null) {
                    return false;
                }
                passed[tier].incrementAndGet();
                service.schedule(() -> t.done(System.nanoTime() - begin), serviceMillis, TimeUnit.MILLISECONDS);
                return true;
            });
            service.shutdown();
            service.awaitTermination(5, TimeUnit.SECONDS);
            String[] names = {"critical", "normal", "low"};
            System.out.printf(Locale.ROOT, "priority: service of %d slots x %d ms (%d calls/s), offered %d calls/s (3x)"
                    + " for %d s%n", slots, serviceMillis, capacity, 3 * capacity, seconds);
            for (int i = 0; i < 3; i++) {
                System.out.printf(Locale.ROOT, "  %-8s offered %8d passed %8d (%.2f %%)%n", names[i], offered[i].get(),
                        passed[i].get(), 100.0 * passed[i].get() / Math.max(1, offered[i].get()));
            }
        }
    }
}

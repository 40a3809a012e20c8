package io.topaz.agent.traffic;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.topaz.agent.traffic.TrafficControl.Rejection;
import io.topaz.model.config.ApiGroup;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.FlowRule;
import io.topaz.model.config.FlowScope;
import io.topaz.model.config.OverloadRule;
import io.topaz.model.config.QuotaRule;
import io.topaz.model.config.Tier;
import io.topaz.model.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Single-node traffic control: QPS scopes, live rules, shares, quotas by day, persistence, shedding order. */
class TrafficControlTest {

    static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

    @TempDir
    Path dir;

    final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T03:00:00.000Z"));
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final AtomicInteger members = new AtomicInteger(1);
    final List<TrafficControl> opened = new ArrayList<>();

    @AfterEach
    void close() {
        opened.forEach(TrafficControl::close);
    }

    TrafficControl control() {
        TrafficControl t = new TrafficControl(clock, SHANGHAI, "c1", members::get, null, "test:", dir, registry,
                Duration.ofSeconds(1), false);
        opened.add(t);
        return t;
    }

    static ConfigSnapshot snapshot(long release, Object... entries) {
        ConfigSnapshot.Builder b = ConfigSnapshot.builder(release);
        for (Object e : entries) {
            if (e instanceof FlowRule f) {
                b.put(ConfigKind.FLOW_RULES, f);
            } else if (e instanceof QuotaRule q) {
                b.put(ConfigKind.QUOTA_RULES, q);
            } else if (e instanceof ApiGroup g) {
                b.put(ConfigKind.API_GROUPS, g);
            } else if (e instanceof OverloadRule o) {
                b.put(ConfigKind.OVERLOAD_RULES, o);
            }
        }
        return b.build();
    }

    /** Admits and answers at once (so no in-flight slot stays taken); returns the rejection or null. */
    static Rejection call(TrafficControl t, String method, String app, String group) {
        Rejection r = t.admit(method, app, group).join();
        if (r == null) {
            t.done(1_000_000);
        }
        return r;
    }

    static int passes(TrafficControl t, int calls, String method, String app, String group) {
        int n = 0;
        for (int i = 0; i < calls; i++) {
            if (call(t, method, app, group) == null) {
                n++;
            }
        }
        return n;
    }

    double counter(String kind, String rule, String outcome) {
        return registry.get("topaz.traffic.decisions").tag("kind", kind).tag("rule", rule).tag("outcome", outcome)
                .counter().count();
    }

    @Test
    void apiQpsLimitRefusesWithCode7AndFreesPermitsAfterASecond() {
        TrafficControl t = control();
        t.apply(snapshot(1, new FlowRule("time-qps", FlowScope.API, "taobao.time.get", null, 5, null)));
        assertThat(passes(t, 5, "taobao.time.get", "app1", "basic")).isEqualTo(5);
        Rejection r = call(t, "taobao.time.get", "app2", "basic");
        assertThat(r.subCode()).isEqualTo(TrafficControl.API_LIMITED);
        assertThat(r.message()).contains("taobao.time.get is limited to 5 calls per second").contains("retry after 1 s");
        assertThat(r.retryAfterSeconds()).isEqualTo(1);
        assertThat(call(t, "taobao.other.get", "app1", "basic")).isNull(); // other APIs are not limited
        clock.advance(Duration.ofMillis(1_000));
        assertThat(call(t, "taobao.time.get", "app1", "basic")).isNull();
        assertThat(counter("flow", "time-qps", "passed")).isEqualTo(6);
        assertThat(counter("flow", "time-qps", "blocked")).isEqualTo(1);
        assertThat(t.inFlight()).isZero();
    }

    @Test
    void appAndAppPerApiLimitsCountOnlyTheirCalls() {
        TrafficControl t = control();
        t.apply(snapshot(1,
                new FlowRule("app1-qps", FlowScope.APP, null, "app1", 3, null),
                new FlowRule("app2-trade", FlowScope.APP_API, "taobao.trade.get", "app2", 2, null)));
        assertThat(passes(t, 10, "taobao.time.get", "app1", "basic")).isEqualTo(3);
        assertThat(call(t, "taobao.trade.get", "app1", "trade").subCode()).isEqualTo(TrafficControl.APP_LIMITED);
        assertThat(passes(t, 10, "taobao.trade.get", "app2", "trade")).isEqualTo(2);
        assertThat(passes(t, 10, "taobao.time.get", "app2", "basic")).isEqualTo(10);
        assertThat(call(t, "taobao.trade.get", "app2", "trade").message())
                .contains("app app2 may call taobao.trade.get 2 times per second");
    }

    @Test
    void anAppFarOverItsOwnLimitDoesNotSpendTheApiLimitOfAnother() {
        TrafficControl t = control();
        t.apply(apiAndAppLimits(null));
        assertThat(greedyAndModestFor3Seconds(t, clock)).isEqualTo(30); // every call of the modest app passed
        // the greedy app passed 5 a second; only calls that passed every rule count as passed by the API's rule
        assertThat(counter("flow", "trade-qps", "passed")).isEqualTo(45);
        assertThat(counter("flow", "greedy-qps", "passed")).isEqualTo(15);
        assertThat(counter("flow", "greedy-qps", "blocked")).isEqualTo(30 * 50 - 15);
        assertThat(t.inFlight()).isZero();
    }

    /**
     * An API limited to 20 calls a second, app {@code greedy} limited to 5 a second, app {@code modest} to 15 a
     * second on that API.
     */
    static ConfigSnapshot apiAndAppLimits(io.topaz.model.config.LimitMode mode) {
        return snapshot(1,
                new FlowRule("trade-qps", FlowScope.API, "taobao.trade.get", null, 20, mode),
                new FlowRule("greedy-qps", FlowScope.APP, null, "greedy", 5, mode),
                new FlowRule("modest-trade", FlowScope.APP_API, "taobao.trade.get", "modest", 15, mode));
    }

    /**
     * For 3 seconds, every 100 ms: app {@code greedy} makes 50 calls (ten times its limit), app {@code modest} one
     * (10 a second, under its own limit; with greedy's 5 a second under the API's 20). Returns modest's passed calls.
     */
    static int greedyAndModestFor3Seconds(TrafficControl t, MutableClock clock) {
        int modestPassed = 0;
        for (int step = 0; step < 30; step++) {
            passes(t, 50, "taobao.trade.get", "greedy", "trade");
            if (call(t, "taobao.trade.get", "modest", "trade") == null) {
                modestPassed++;
            }
            clock.advance(Duration.ofMillis(100));
        }
        return modestPassed;
    }

    @Test
    void aNewReleaseChangesLimitsLiveAndKeepsTheWindow() {
        TrafficControl t = control();
        t.apply(snapshot(1, new FlowRule("time-qps", FlowScope.API, "taobao.time.get", null, 5, null)));
        assertThat(passes(t, 10, "taobao.time.get", "a", "g")).isEqualTo(5);
        t.apply(snapshot(2, new FlowRule("time-qps", FlowScope.API, "taobao.time.get", null, 8, null)));
        assertThat(passes(t, 10, "taobao.time.get", "a", "g")).isEqualTo(3); // the 5 already passed still count
        t.apply(snapshot(3));
        assertThat(passes(t, 10, "taobao.time.get", "a", "g")).isEqualTo(10); // rule gone: no limit
        assertThat(registry.find("topaz.traffic.decisions").tag("rule", "time-qps").counters()).isEmpty();
    }

    @Test
    void aSingleNodeLimitIsSharedByTheLiveAgentsOfTheCluster() {
        members.set(3);
        TrafficControl t = control();
        t.apply(snapshot(1, new FlowRule("time-qps", FlowScope.API, "taobao.time.get", null, 10, null)));
        assertThat(passes(t, 10, "taobao.time.get", "a", "g")).isEqualTo(4); // ceil(10 / 3)
        assertThat(call(t, "taobao.time.get", "a", "g").message())
                .isEqualTo("taobao.time.get is limited to 10 calls per second (4 on each of 3 nodes); retry after 1 s");
    }

    @Test
    void aQuotaResetsAtMidnightInThePlatformZone() {
        clock.set(ZonedDateTime.of(2026, 12, 2, 23, 59, 58, 0, SHANGHAI).toInstant());
        TrafficControl t = control();
        t.apply(snapshot(1, new QuotaRule("app1-trade", "app1", "trade", 3L)));
        assertThat(passes(t, 3, "taobao.trade.get", "app1", "trade")).isEqualTo(3);
        Rejection r = call(t, "taobao.trade.get", "app1", "trade");
        assertThat(r.subCode()).isEqualTo(TrafficControl.QUOTA_EXCEEDED);
        assertThat(r.retryAfterSeconds()).isEqualTo(2);
        assertThat(r.message()).contains("resets at 00:00 Asia/Shanghai, in 2 s");
        assertThat(call(t, "taobao.time.get", "app1", "basic")).isNull(); // other groups are not counted
        clock.advance(Duration.ofMillis(1_999));
        assertThat(call(t, "taobao.trade.get", "app1", "trade")).isNotNull(); // 23:59:59.999 in Shanghai
        clock.advance(Duration.ofMillis(1));
        assertThat(passes(t, 5, "taobao.trade.get", "app1", "trade")).isEqualTo(3); // a new day
    }

    @Test
    void quotaCountsSurviveARestartOfTheAgent() {
        TrafficControl first = control();
        first.apply(snapshot(1, new QuotaRule("app1-trade", "app1", "trade", 10L)));
        assertThat(passes(first, 7, "taobao.trade.get", "app1", "trade")).isEqualTo(7);
        first.close();

        TrafficControl second = control();
        second.apply(snapshot(1, new QuotaRule("app1-trade", "app1", "trade", 10L)));
        assertThat(passes(second, 10, "taobao.trade.get", "app1", "trade")).isEqualTo(3);

        second.flushQuotaCounts();
        clock.advance(Duration.ofDays(1));
        TrafficControl nextDay = control();
        nextDay.apply(snapshot(1, new QuotaRule("app1-trade", "app1", "trade", 10L)));
        assertThat(passes(nextDay, 10, "taobao.trade.get", "app1", "trade")).isEqualTo(10);
    }

    @Test
    void overloadShedsTheLowTierFirstAndKeepsTheReserveForCritical() {
        TrafficControl t = control();
        t.apply(snapshot(1,
                new ApiGroup("trade", Tier.CRITICAL, null),
                new ApiGroup("stats", Tier.LOW, null),
                new OverloadRule("default", "", 10, 200, 20, 50)));
        // capacity 10 in flight: the reserve is 2 (critical only), normal up to 8, low up to 4
        int low = admitHeld(t, 10, "stats");
        assertThat(low).isEqualTo(4);
        int normal = admitHeld(t, 10, "basic"); // no tier: normal
        assertThat(normal).isEqualTo(4);
        int critical = admitHeld(t, 10, "trade");
        assertThat(critical).isEqualTo(2);
        assertThat(t.inFlight()).isEqualTo(10);
        Rejection shed = t.admit("taobao.stats.get", "app1", "stats").join();
        assertThat(shed.subCode()).isEqualTo(TrafficControl.OVERLOAD_SHED);
        assertThat(shed.retryAfterSeconds()).isEqualTo(1);
        assertThat(counter("overload", "low", "blocked")).isEqualTo(7);
        assertThat(counter("overload", "critical", "blocked")).isEqualTo(8);

        // answered calls free their slots
        for (int i = 0; i < 10; i++) {
            t.done(1_000_000);
        }
        assertThat(t.inFlight()).isZero();
        clock.advance(Duration.ofSeconds(1));
        // slow answers: over the latency threshold the low tier is shed entirely, the others are not
        for (int i = 0; i < 5; i++) {
            assertThat(t.admit("taobao.trade.get", "app1", "trade").join()).isNull();
            t.done(Duration.ofMillis(500).toNanos());
        }
        assertThat(t.admit("taobao.stats.get", "app1", "stats").join()).isNotNull();
        assertThat(call(t, "taobao.time.get", "app1", "basic")).isNull();
        clock.advance(Duration.ofSeconds(1)); // the slow second has passed
        assertThat(call(t, "taobao.stats.get", "app1", "stats")).isNull();

        // the threshold (200 ms) is on the mean in whole milliseconds: 200.999 ms is not over it, 201 ms is
        clock.advance(Duration.ofSeconds(1));
        for (int i = 0; i < 2; i++) {
            assertThat(t.admit("taobao.trade.get", "app1", "trade").join()).isNull();
            t.done(Duration.ofMillis(200).toNanos() + (i == 0 ? 999_000 : 998_000));
        }
        assertThat(t.admit("taobao.stats.get", "app1", "stats").join()).isNull(); // mean 200.9985 ms
        t.done(-1); // its slot back, no latency recorded
        assertThat(t.admit("taobao.trade.get", "app1", "trade").join()).isNull();
        t.done(Duration.ofMillis(203).toNanos()); // mean (400.997 + 203) / 3 = 201.3 ms
        assertThat(t.admit("taobao.stats.get", "app1", "stats").join()).isNotNull();
    }

    @Test
    void aCallRefusedByALaterRuleGivesItsSlotBack() {
        TrafficControl t = control();
        t.apply(snapshot(1, new FlowRule("one", FlowScope.API, "a.b.c", null, 1, null),
                new OverloadRule("default", "", 5, 1_000, 20, 50)));
        assertThat(t.admit("a.b.c", "app", "g").join()).isNull();
        assertThat(t.admit("a.b.c", "app", "g").join()).isNotNull();
        assertThat(t.inFlight()).isEqualTo(1);
    }

    /** Admits up to {@code n} calls of {@code group} without answering them; returns how many were admitted. */
    static int admitHeld(TrafficControl t, int n, String group) {
        int admitted = 0;
        for (int i = 0; i < n; i++) {
            if (t.admit("taobao." + group + ".get", "app1", group).join() == null) {
                admitted++;
            }
        }
        return admitted;
    }
}

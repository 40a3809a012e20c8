package io.topaz.agent.traffic;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.topaz.agent.metadata.RedisSupport;
import io.topaz.agent.metadata.TcpProxy;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.FlowRule;
import io.topaz.model.config.FlowScope;
import io.topaz.model.config.LimitMode;
import io.topaz.model.config.QuotaRule;
import io.topaz.model.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.topaz.agent.traffic.TrafficControlTest.SHANGHAI;
import static io.topaz.agent.traffic.TrafficControlTest.call;
import static io.topaz.agent.traffic.TrafficControlTest.passes;
import static io.topaz.agent.traffic.TrafficControlTest.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Cluster-wide limits on the real Redis: shared among agents, fallback to the local share, recovery. */
class ClusterTrafficTest {

    @TempDir
    Path dir;

    final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T03:00:00.050Z"));
    final List<AutoCloseable> opened = new ArrayList<>();
    String redis;
    String prefix;

    @BeforeEach
    void redis() {
        redis = RedisSupport.uri();
        prefix = RedisSupport.prefix();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
    }

    /** One agent of a cluster of {@code members}, with its own connection to Redis at {@code redisUri}. */
    TrafficControl agent(String name, int members, String redisUri, SimpleMeterRegistry registry) {
        RedisClusterCounter counter = new RedisClusterCounter(redisUri, prefix, Duration.ofMillis(200));
        TrafficControl t = new TrafficControl(clock, SHANGHAI, "c1", () -> members, counter, prefix,
                dir.resolve(name), registry, Duration.ofSeconds(1), false);
        opened.add(t);
        return t;
    }

    @Test
    void threeAgentsShareOneClusterLimit() throws Exception {
        ConfigSnapshot rules = snapshot(1,
                new FlowRule("time-qps", FlowScope.API, "taobao.time.get", null, 300, LimitMode.CLUSTER));
        List<TrafficControl> agents = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            TrafficControl t = agent("a" + i, 3, redis, new SimpleMeterRegistry());
            t.apply(rules);
            agents.add(t);
        }
        waitForRedis(agents);
        clock.advance(Duration.ofSeconds(2)); // a fresh window
        // within one 100 ms bucket every agent asks for 400 calls: the cluster passes at most 300 in all
        int passed = 0;
        for (int round = 0; round < 400; round++) {
            for (TrafficControl t : agents) {
                if (call(t, "taobao.time.get", "app", "g") == null) {
                    passed++;
                }
            }
        }
        assertThat(passed).isBetween(280, 300);
        // one agent alone may take more than its third of the limit when the others are idle
        clock.advance(Duration.ofSeconds(1));
        assertThat(passes(agents.get(0), 400, "taobao.time.get", "app", "g")).isBetween(280, 300);
        assertThat(agents.get(0).inFallback("flow", "time-qps")).isFalse();
    }

    @Test
    void anAppFarOverItsOwnClusterLimitDoesNotSpendTheApiLimitOfAnother() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TrafficControl t = agent("a", 1, redis, registry);
        t.apply(TrafficControlTest.apiAndAppLimits(LimitMode.CLUSTER));
        waitForRedis(List.of(t));
        clock.advance(Duration.ofSeconds(2)); // a fresh window
        assertThat(TrafficControlTest.greedyAndModestFor3Seconds(t, clock)).isEqualTo(30);
        assertThat(registry.get("topaz.traffic.decisions").tag("rule", "greedy-qps").tag("outcome", "passed")
                .counter().count()).isEqualTo(15);
        assertThat(t.inFallback("flow", "trade-qps")).isFalse();
    }

    @Test
    void whenRedisGoesAwayTheAgentEnforcesItsShareAndReturnsToTheClusterLimitAfter() throws Exception {
        TcpProxy proxy = redisProxy();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TrafficControl t = agent("a", 2, "redis://127.0.0.1:" + proxy.port() + "/0", registry);
        t.apply(snapshot(1, new FlowRule("time-qps", FlowScope.API, "taobao.time.get", null, 100, LimitMode.CLUSTER)));
        waitForRedis(List.of(t));
        clock.advance(Duration.ofSeconds(2));
        assertThat(passes(t, 150, "taobao.time.get", "app", "g")).isEqualTo(100); // the whole cluster limit

        clock.advance(Duration.ofSeconds(2));
        cutUntilFallback(proxy, t, "flow", "time-qps", "taobao.time.get", "app", "g");
        int local = passes(t, 150, "taobao.time.get", "app", "g");
        assertThat(local).isBetween(1, 50); // never more than its share (100 / 2 agents), never fail-open
        assertThat(registry.get("topaz.traffic.fallback.active").tag("rule", "time-qps").gauge().value())
                .isEqualTo(1.0);
        assertThat(registry.get("topaz.traffic.fallback").tag("rule", "time-qps").counter().count()).isPositive();

        proxy.restore();
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            clock.advance(Duration.ofSeconds(2));
            call(t, "taobao.time.get", "app", "g");
            return !t.inFallback("flow", "time-qps");
        });
        clock.advance(Duration.ofSeconds(2));
        assertThat(passes(t, 150, "taobao.time.get", "app", "g")).isEqualTo(100);
        assertThat(registry.get("topaz.traffic.fallback.active").tag("rule", "time-qps").gauge().value()).isZero();
    }

    @Test
    void aClusterQuotaIsCountedTogetherAndSurvivesRestarts() throws Exception {
        ConfigSnapshot rules = snapshot(1, new QuotaRule("app1-trade", "app1", "trade", 50L, LimitMode.CLUSTER));
        TrafficControl a = agent("a", 2, redis, new SimpleMeterRegistry());
        TrafficControl b = agent("b", 2, redis, new SimpleMeterRegistry());
        a.apply(rules);
        b.apply(rules);
        waitForRedis(List.of(a, b));
        assertThat(passes(a, 30, "taobao.trade.get", "app1", "trade")).isEqualTo(30);
        a.close(); // gives back what it had taken and not used
        assertThat(passes(b, 30, "taobao.trade.get", "app1", "trade")).isEqualTo(20);
        TrafficControl restarted = started("a", redis, rules);
        assertThat(passes(restarted, 10, "taobao.trade.get", "app1", "trade")).isZero();
    }

    @Test
    void quotaCallsPassedDuringAFallbackAreAddedToTheClusterCountAfter() throws Exception {
        TcpProxy proxy = redisProxy();
        ConfigSnapshot rules = snapshot(1, new QuotaRule("app1-trade", "app1", "trade", 40L, LimitMode.CLUSTER));
        TrafficControl t = started("a", "redis://127.0.0.1:" + proxy.port() + "/0", rules);
        cutUntilFallback(proxy, t, "quota", "app1-trade", "taobao.trade.get", "app1", "trade");
        int local = passes(t, 30, "taobao.trade.get", "app1", "trade");
        assertThat(local).isBetween(0, 20); // the share is 20 a day; the probes above used some
        proxy.restore();
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            clock.advance(Duration.ofSeconds(2));
            call(t, "taobao.trade.get", "app1", "trade");
            return !t.inFallback("quota", "app1-trade");
        });
        // a second agent sees the fallback calls in the cluster count: 40 minus the ~20 already used
        TrafficControl other = started("b", redis, rules);
        int rest = passes(other, 40, "taobao.trade.get", "app1", "trade");
        assertThat(rest).isBetween(1, 20);
    }

    @Test
    void quotaCallsPassedInAFallbackReachTheClusterCountEvenAfterARestart() throws Exception {
        TcpProxy proxy = redisProxy();
        ConfigSnapshot rules = snapshot(1, new QuotaRule("app1-trade", "app1", "trade", 40L, LimitMode.CLUSTER));
        TrafficControl t = started("a", "redis://127.0.0.1:" + proxy.port() + "/0", rules);
        cutUntilFallback(proxy, t, "quota", "app1-trade", "taobao.trade.get", "app1", "trade");
        int local = 1 + passes(t, 9, "taobao.trade.get", "app1", "trade"); // with the call that found Redis gone
        assertThat(local).isEqualTo(10);
        t.close(); // the agent stops while Redis is still away: its 10 calls are on disk as unsynced

        TrafficControl restarted = started("a", redis, rules);
        assertThat(call(restarted, "taobao.trade.get", "app1", "trade")).isNull(); // Redis answers: the 10 are added
        TrafficControl other = started("b", redis, rules);
        restarted.close(); // gives back its unused lease
        assertThat(passes(other, 40, "taobao.trade.get", "app1", "trade")).isEqualTo(29); // 40 − 10 − 1
    }

    /** Takes Redis away from {@code t} and makes calls until the rule {@code kind:rule} runs on the local share. */
    static void cutUntilFallback(TcpProxy proxy, TrafficControl t, String kind, String rule, String method, String app,
                                 String group) {
        proxy.cut();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            call(t, method, app, group);
            return t.inFallback(kind, rule);
        });
    }

    /** An agent of a two-agent cluster on {@code redisUri}, {@code rules} applied, its Redis connection up. */
    TrafficControl started(String name, String redisUri, ConfigSnapshot rules) {
        TrafficControl t = agent(name, 2, redisUri, new SimpleMeterRegistry());
        t.apply(rules);
        waitForRedis(List.of(t));
        return t;
    }

    /** A proxy in front of the test Redis that a test can cut and restore; closed after the test. */
    TcpProxy redisProxy() throws Exception {
        TcpProxy proxy = new TcpProxy(RedisSupport.HOST, RedisSupport.PORT);
        opened.add(proxy);
        return proxy;
    }

    /** Waits until each agent's Redis connection is up (made in the background at start). */
    void waitForRedis(List<TrafficControl> agents) {
        for (TrafficControl t : agents) {
            await().atMost(Duration.ofSeconds(10)).until(() -> t.clusterCounterReady());
        }
    }
}

package io.topaz.bench.traffic;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.topaz.agent.traffic.TrafficControl;
import io.topaz.model.config.ApiGroup;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.FlowRule;
import io.topaz.model.config.FlowScope;
import io.topaz.model.config.OverloadRule;
import io.topaz.model.config.QuotaRule;
import io.topaz.model.config.Tier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.ZoneId;
import java.util.concurrent.TimeUnit;

/**
 * The cost of one flow-control decision on the single-node path (target ≤ 1 µs): {@code admit} then {@code done}, as
 * the gateway's flow-control stage and pipeline do per call.
 * <ul>
 *   <li>{@code oneApiRule}: the API has one QPS limit (never reached);</li>
 *   <li>{@code allRules}: an API limit, an app limit, an app-per-API limit, a daily quota and overload shedding, all
 *       applying to the call (none reached);</li>
 *   <li>{@code refused}: the API's limit is reached, so the call is refused with code 7;</li>
 *   <li>{@code noRule}: no rule applies (only the in-flight count).</li>
 * </ul>
 * Run: {@code scripts/bench-jmh.sh TrafficDecisionBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(2)
public class TrafficDecisionBenchmark {

    private TrafficControl traffic;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        traffic = new TrafficControl(Clock.systemUTC(), ZoneId.of("Asia/Shanghai"), "bench", () -> 1, null, "bench:",
                Files.createTempDirectory("traffic-bench"), new SimpleMeterRegistry());
        traffic.apply(ConfigSnapshot.builder(1)
                .put(ConfigKind.FLOW_RULES, new FlowRule("api", FlowScope.API, "taobao.trade.get", null,
                        FlowRule.MAX_QPS, null))
                .put(ConfigKind.FLOW_RULES, new FlowRule("app", FlowScope.APP, null, "app1", FlowRule.MAX_QPS, null))
                .put(ConfigKind.FLOW_RULES, new FlowRule("app-api", FlowScope.APP_API, "taobao.trade.get", "app1",
                        FlowRule.MAX_QPS, null))
                .put(ConfigKind.FLOW_RULES, new FlowRule("only-api", FlowScope.API, "taobao.time.get", null,
                        FlowRule.MAX_QPS, null))
                .put(ConfigKind.FLOW_RULES, new FlowRule("tiny", FlowScope.API, "taobao.tiny.get", null, 1, null))
                .put(ConfigKind.QUOTA_RULES, new QuotaRule("quota", "app1", "trade", QuotaRule.MAX_DAILY_LIMIT))
                .put(ConfigKind.API_GROUPS, new ApiGroup("trade", Tier.CRITICAL, null))
                .put(ConfigKind.OVERLOAD_RULES, new OverloadRule("default", "", 1_000_000, 60_000, 20, 50))
                .build());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        traffic.close();
    }

    private Object decide(String method, String app, String group) {
        TrafficControl.Rejection r = traffic.admit(method, app, group).join();
        if (r == null) {
            traffic.done(1_000_000);
        }
        return r;
    }

    @Benchmark
    public Object oneApiRule() {
        return decide("taobao.time.get", "app2", "basic");
    }

    @Benchmark
    public Object allRules() {
        return decide("taobao.trade.get", "app1", "trade");
    }

    @Benchmark
    public Object refused() {
        return decide("taobao.tiny.get", "app2", "basic");
    }

    @Benchmark
    public Object noRule() {
        return decide("taobao.other.get", "app3", "basic");
    }
}

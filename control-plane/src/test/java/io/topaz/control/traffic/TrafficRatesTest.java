package io.topaz.control.traffic;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.topaz.control.ControlPlaneTestSupport;
import io.topaz.control.RestApi;
import io.topaz.control.TestZooKeeper;
import io.topaz.control.fleet.FleetView;
import io.topaz.model.testing.MutableClock;
import io.topaz.model.zk.ZkLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * Live traffic rates from agents' {@code /metrics}: fake agents (tiny HTTP servers registered in the real ZooKeeper as
 * agents register) serve the counters; a poller with a clock the test moves checks the arithmetic, and the
 * application's own poller (every 200 ms here) serves {@code /api/v1/traffic/rates}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class TrafficRatesTest extends ControlPlaneTestSupport {

    private static final String ROOT = TestZooKeeper.uniqueRoot();
    private static final ZkLayout LAYOUT = new ZkLayout(ROOT);

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) {
        register(r, TestZooKeeper.connectString(), ROOT);
        r.add("topaz.traffic.poll-interval", () -> "200ms");
        r.add("topaz.traffic.scrape-timeout", () -> "500ms");
    }

    @Autowired
    FleetView fleet;
    @Autowired
    MeterRegistry registry;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T08:00:00Z"));
    private final List<FakeAgent> agents = new ArrayList<>();

    @AfterEach
    void stopAgents() {
        agents.forEach(FakeAgent::close);
        await().atMost(Duration.ofSeconds(10)).until(() -> fleet.agents().isEmpty());
    }

    private FakeAgent agent(String id, long startedAtMillis) throws Exception {
        FakeAgent a = new FakeAgent(TestZooKeeper.connectString(), LAYOUT, id, startedAtMillis);
        agents.add(a);
        await().atMost(Duration.ofSeconds(10)).until(() -> fleet.agents().stream().anyMatch(i -> i.id().equals(id)
                && i.startedAtMillis() == startedAtMillis));
        return a;
    }

    /** A poller of our own that only polls when told, reading the test's clock. */
    private TrafficPoller manualPoller() {
        return new TrafficPoller(fleet, new TrafficProperties(Duration.ofHours(1), Duration.ofMillis(500), 120), clock,
                new SimpleMeterRegistry());
    }

    private static RuleRate rate(TrafficSnapshot s, String kind, String rule) {
        return s.rules().stream().filter(r -> r.kind().equals(kind) && r.rule().equals(rule)).findFirst()
                .orElseThrow(() -> new AssertionError(kind + "/" + rule + " not in " + s.rules()));
    }

    @Test
    void sumsTwoAgentsAndTurnsConsecutiveScrapesIntoRatesPerSecond() throws Exception {
        FakeAgent a = agent("traffic-a", 1000).decisions("flow", "item.get", 100, 4).fallback("flow", "item.get", 0, false);
        FakeAgent b = agent("traffic-b", 1000).decisions("flow", "item.get", 50, 1).decisions("quota", "app-daily", 7, 0);
        TrafficPoller poller = manualPoller();

        TrafficSnapshot first = poller.poll();
        assertThat(first.agentsPolled()).isEqualTo(2);
        assertThat(first.agentsReporting()).isEqualTo(2);
        assertThat(first.rules()).extracting(RuleRate::kind, RuleRate::rule)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("flow", "item.get"),
                        org.assertj.core.groups.Tuple.tuple("quota", "app-daily"));
        assertThat(rate(first, "flow", "item.get").passedTotal()).isEqualTo(150.0);
        assertThat(rate(first, "flow", "item.get").passedPerSecond()).isZero();

        a.decisions("flow", "item.get", 160, 24).fallback("flow", "item.get", 15, true);
        b.decisions("flow", "item.get", 65, 1);
        clock.advance(Duration.ofSeconds(5));
        TrafficSnapshot second = poller.poll();
        assertThat(second.intervalSeconds()).isEqualTo(5.0);
        RuleRate r = rate(second, "flow", "item.get");
        assertThat(r.passedPerSecond()).isCloseTo((60 + 15) / 5.0, within(1e-9));
        assertThat(r.blockedPerSecond()).isCloseTo(20 / 5.0, within(1e-9));
        assertThat(r.fallbackPerSecond()).isCloseTo(3.0, within(1e-9));
        assertThat(r.passedTotal()).isEqualTo(225.0);
        assertThat(r.blockedTotal()).isEqualTo(25.0);
        assertThat(r.agentsInFallback()).isEqualTo(1);
        assertThat(poller.history(new RuleKey("flow", "item.get"), 120)).hasValueSatisfying(points ->
                assertThat(points).extracting(RatePoint::passedPerSecond).containsExactly(15.0));
    }

    @Test
    void aCounterResetAfterAnAgentRestartCountsFromZero() throws Exception {
        FakeAgent a = agent("traffic-restart", 1000).decisions("flow", "item.get", 5000, 300);
        TrafficPoller poller = manualPoller();
        poller.poll();

        a.close();
        agents.remove(a);
        await().atMost(Duration.ofSeconds(10)).until(() -> fleet.agents().isEmpty());
        agent("traffic-restart", 2000).decisions("flow", "item.get", 40, 10);
        clock.advance(Duration.ofSeconds(5));
        TrafficSnapshot afterRestart = poller.poll();
        RuleRate r = rate(afterRestart, "flow", "item.get");
        assertThat(r.passedPerSecond()).isCloseTo(8.0, within(1e-9));
        assertThat(r.blockedPerSecond()).isCloseTo(2.0, within(1e-9));
        assertThat(r.passedTotal()).isEqualTo(40.0);
    }

    @Test
    void anUnreachableAgentIsNotReportingAndTheOthersStillCount() throws Exception {
        agent("traffic-ok", 1000).decisions("overload", "low", 10, 90);
        FakeAgent silent = agent("traffic-silent", 1000).decisions("overload", "low", 1_000_000, 0);
        silent.closeAdminPort();
        TrafficPoller poller = manualPoller();
        TrafficSnapshot s = poller.poll();
        assertThat(s.agentsPolled()).isEqualTo(2);
        assertThat(s.agentsReporting()).isEqualTo(1);
        assertThat(s.agentsNotReporting()).isEqualTo(1);
        assertThat(rate(s, "overload", "low").blockedTotal()).isEqualTo(90.0);
        assertThat(rate(s, "overload", "low").passedTotal()).isEqualTo(10.0);
    }

    @Test
    void theApplicationPollsByItselfAndServesRatesAndHistoryToViewers() throws Exception {
        FakeAgent a = agent("traffic-api", 1000).decisions("flow", "item.get", 100, 0)
                .decisions("quota", "app-daily", 3, 1);
        RestApi viewer = withRole("VIEWER");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode body = viewer.get("/api/v1/traffic/rates").body();
            assertThat(body.get("agentsReporting").asInt()).isEqualTo(1);
            assertThat(body.get("rules")).hasSize(2);
            assertThat(body.get("rules").get(0).get("passedTotal").asDouble()).isEqualTo(100.0);
        });
        a.decisions("flow", "item.get", 1000, 50);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            RestApi.Response r = viewer.get("/api/v1/traffic/rates");
            assertThat(r.status()).isEqualTo(200);
            JsonNode flow = r.json("rules").get(0);
            assertThat(flow.get("kind").asString()).isEqualTo("flow");
            assertThat(flow.get("rule").asString()).isEqualTo("item.get");
            assertThat(flow.get("passedTotal").asDouble()).isEqualTo(1000.0);
            assertThat(flow.get("agentsInFallback").asInt()).isZero();
            assertThat(Instant.parse(r.json("at").asString())).isBeforeOrEqualTo(Instant.now());
            assertThat(r.json("intervalSeconds").asDouble()).isPositive();
            assertThat(r.json("agentsPolled").asInt()).isEqualTo(1);
            assertThat(r.json("rules").get(1).get("kind").asString()).isEqualTo("quota");
            // some poll saw the jump from 100 to 1000
            JsonNode history = viewer.get("/api/v1/traffic/rates/flow/item.get/history").body();
            assertThat(history.get("points")).anySatisfy(p -> assertThat(p.get("passedPerSecond").asDouble()).isPositive());
        });
        assertThat(viewer.get("/api/v1/traffic/rates/flow/item.get/history?points=1").json("points")).hasSize(1);
        assertThat(viewer.get("/api/v1/traffic/rates/flow/no.such.rule/history").status()).isEqualTo(404);
        RestApi.Response badKind = viewer.get("/api/v1/traffic/rates/cache/item.get/history");
        assertThat(badKind.status()).isEqualTo(400);
        assertThat(badKind.json("message").asString()).contains("kind must be one of [flow, overload, quota]");
        assertThat(viewer.get("/api/v1/traffic/rates/flow/item.get/history?points=0").status()).isEqualTo(400);

        assertThat(anonymous().get("/api/v1/traffic/rates").status()).isEqualTo(401);
        assertThat(anonymous().get("/api/v1/traffic/rates/flow/item.get/history").status()).isEqualTo(401);

        JsonNode paths = viewer.get("/v3/api-docs").json("paths");
        assertThat(paths.has("/api/v1/traffic/rates")).isTrue();
        assertThat(paths.has("/api/v1/traffic/rates/{kind}/{rule}/history")).isTrue();
    }

    @Test
    void theGaugeCountsAgentsNotReporting() throws Exception {
        agent("traffic-gauge-ok", 1000).decisions("flow", "x", 1, 0);
        agent("traffic-gauge-silent", 1000).closeAdminPort();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(registry.get("topaz.traffic.agents.not.reporting").gauge().value()).isEqualTo(1.0));
    }

    private static AgentTraffic agentTraffic(FleetTraffic f, String id) {
        return f.agents().stream().filter(a -> a.agent().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError(id + " not in " + f.agents()));
    }

    @Test
    void eachAgentsGatewayCallsAndErrorsBecomeRatesFromTheSameScrape() throws Exception {
        FakeAgent a = agent("gateway-a", 1000).gateway(100, 10, true);
        FakeAgent b = agent("gateway-b", 1000).gateway(20, 2, false);
        FakeAgent silent = agent("gateway-silent", 1000).gateway(5, 5, true);
        silent.closeAdminPort();
        TrafficPoller poller = manualPoller();
        poller.poll();
        a.gateway(160, 25, true);
        b.gateway(20, 2, true);
        clock.advance(Duration.ofSeconds(5));
        poller.poll();

        FleetTraffic fleet = poller.fleetTraffic(120);
        assertThat(fleet.at()).isEqualTo(clock.instant());
        AgentTraffic ta = agentTraffic(fleet, "gateway-a");
        assertThat(ta.reporting()).isTrue();
        assertThat(ta.zookeeperConnected()).isTrue();
        assertThat(ta.requestsPerSecond()).isCloseTo(12.0, within(1e-9));
        assertThat(ta.errorsPerSecond()).isCloseTo(3.0, within(1e-9));
        assertThat(ta.requestsTotal()).isEqualTo(160.0);
        assertThat(ta.errorsTotal()).isEqualTo(25.0);
        assertThat(ta.points()).containsExactly(new AgentRatePoint(clock.instant(), 12.0, 3.0));
        AgentTraffic tb = agentTraffic(fleet, "gateway-b");
        assertThat(tb.requestsPerSecond()).isZero();
        assertThat(tb.zookeeperConnected()).isTrue();
        AgentTraffic ts = agentTraffic(fleet, "gateway-silent");
        assertThat(ts.reporting()).isFalse();
        assertThat(ts.points()).isEmpty();
    }

    @Test
    void theApplicationServesEachAgentsGatewayRatesToViewers() throws Exception {
        FakeAgent a = agent("gateway-api", 1000).gateway(100, 0, true);
        RestApi viewer = withRole("VIEWER");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode agents = viewer.get("/api/v1/traffic/agents").json("agents");
            assertThat(agents).anySatisfy(n -> assertThat(n.get("agent").asString()).isEqualTo("gateway-api"));
        });
        a.gateway(5000, 700, false);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            RestApi.Response r = viewer.get("/api/v1/traffic/agents?points=3");
            assertThat(r.status()).isEqualTo(200);
            JsonNode me = null;
            for (JsonNode n : r.json("agents")) {
                if (n.get("agent").asString().equals("gateway-api")) {
                    me = n;
                }
            }
            assertThat(me).isNotNull();
            assertThat(me.get("reporting").asBoolean()).isTrue();
            assertThat(me.get("zookeeperConnected").asBoolean()).isFalse();
            assertThat(me.get("requestsTotal").asDouble()).isEqualTo(5000.0);
            assertThat(me.get("errorsTotal").asDouble()).isEqualTo(700.0);
            assertThat(me.get("points").size()).isBetween(1, 3);
            // some poll saw the jump from 100 to 5000 calls
            assertThat(me.get("points")).anySatisfy(p -> assertThat(p.get("requestsPerSecond").asDouble()).isPositive());
            assertThat(Instant.parse(r.json("at").asString())).isBeforeOrEqualTo(Instant.now());
        });
        assertThat(viewer.get("/api/v1/traffic/agents?points=100000").status()).as("more than kept: all").isEqualTo(200);
        RestApi.Response bad = viewer.get("/api/v1/traffic/agents?points=0");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json("message").asString()).contains("points must be between 1 and 120, was 0");
        assertThat(anonymous().get("/api/v1/traffic/agents").status()).isEqualTo(401);
        assertThat(viewer.get("/v3/api-docs").json("paths").has("/api/v1/traffic/agents")).isTrue();
    }
}

package io.topaz.control.traffic;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.topaz.control.web.ApiException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.TreeSet;

/**
 * {@code GET /api/v1/traffic/rates}: each traffic-control rule's pass, block and fallback rates summed over the live
 * agents, from the latest poll of their {@code /metrics}; {@code GET /api/v1/traffic/rates/{kind}/{rule}/history}: one
 * rule's recent points for a chart; {@code GET /api/v1/traffic/agents}: each agent's gateway calls and errors per
 * second with recent points, so the console never needs to reach an agent itself. Viewers and above.
 */
@RestController
@Tag(name = "Traffic", description = "Live pass/block rates of flow, quota and overload rules, and each agent's gateway calls and errors, gathered from the agents")
class TrafficController {

    record History(String kind, String rule, List<RatePoint> points) {
    }

    private final TrafficPoller poller;

    TrafficController(TrafficPoller poller) {
        this.poller = poller;
    }

    @GetMapping("/api/v1/traffic/rates")
    @Operation(summary = "Every rule's live rates",
            description = "From the latest poll of every live agent's /metrics (every topaz.traffic.poll-interval): per "
                    + "rule (kind flow, quota or overload; for overload the rule is the priority tier), the requests "
                    + "passed and blocked per second over the last interval, summed over the agents that answered; the "
                    + "decisions per second taken on agents' local shares because Redis was unreachable; the counters' "
                    + "totals; and how many agents are in that fallback now. Sorted by kind, then rule. 'at' is null "
                    + "before the first poll; intervalSeconds is 0 until the second.")
    TrafficSnapshot rates() {
        return poller.latest();
    }

    @GetMapping("/api/v1/traffic/agents")
    @Operation(summary = "Every live agent's gateway calls and errors per second",
            description = "From the latest poll of every live agent's /metrics (topaz_gateway_requests_total, "
                    + "topaz_gateway_errors_total, topaz_zookeeper_connected): per agent, whether it answered that poll, "
                    + "whether it is connected to ZooKeeper, its calls and errors per second over the last interval it "
                    + "was measured, its counters' totals, and its last 'points' rate points, oldest first (more than "
                    + "topaz.traffic.history-points, 120 by default, gives them all). Sorted by agent id; 'at' is null "
                    + "before the first poll.")
    FleetTraffic agents(@RequestParam(required = false) Integer points) {
        // a client asking for more points than this control plane keeps gets all it has: a console built for the
        // default history must not fail against a control plane configured with a shorter one
        return poller.fleetTraffic(points(points == null ? null : Math.min(points, poller.historyPoints())));
    }

    private int points(Integer points) {
        int max = poller.historyPoints();
        int limit = points == null ? max : points;
        if (limit < 1 || limit > max) {
            throw ApiException.badRequest("points must be between 1 and " + max + ", was " + limit);
        }
        return limit;
    }

    @GetMapping("/api/v1/traffic/rates/{kind}/{rule}/history")
    @Operation(summary = "One rule's recent rates, for a chart",
            description = "The last 'points' polls' rates of one rule, oldest first (at most topaz.traffic.history-points, "
                    + "120 by default). 404 when no agent has counted the rule lately.")
    History history(@PathVariable String kind, @PathVariable String rule,
                    @RequestParam(required = false) Integer points) {
        if (!RuleKey.KINDS.contains(kind)) {
            throw ApiException.badRequest("kind must be one of " + new TreeSet<>(RuleKey.KINDS) + ", was '" + kind + "'");
        }
        int limit = points(points);
        RuleKey key = new RuleKey(kind, rule);
        return poller.history(key, limit)
                .map(p -> new History(kind, rule, p))
                .orElseThrow(() -> ApiException.notFound("no agent has counted " + kind + " rule '" + rule
                        + "' lately; GET /api/v1/traffic/rates lists the rules the agents report"));
    }
}

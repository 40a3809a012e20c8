package io.topaz.control.traffic;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns each agent's gateway call and error counters into per-agent rates, with a short history per agent for the
 * console's fleet sparklines. The arithmetic is {@link TrafficAggregator}'s, per agent instead of per rule:
 *
 * <pre>
 *  poll:      t0            t0+5 s          t0+10 s         t0+15 s
 *  agent a:   calls 100 ──▶ 160 (+12/s) ──▶ no answer ────▶ 190 (+3/s, measured from t0+5 s)
 *  points:    (none: first) [12]            [12] reporting=false  [12, 3]
 * </pre>
 *
 * A counter that went down, or a new start time, means the agent restarted: it counts from zero. An agent that is no
 * longer registered is forgotten with its history.
 *
 * <p>The time is a parameter. Synchronized: the poller records from its thread, requests read.
 */
final class AgentCallRates {

    private static final class Agent {
        Instant lastAnswerAt;
        long startedAtMillis;
        GatewayCounters last = GatewayCounters.IDLE;
        double requestsPerSecond;
        double errorsPerSecond;
        boolean reporting;
        final Deque<AgentRatePoint> points = new ArrayDeque<>();
    }

    private final int historyPoints;
    private final Map<String, Agent> agents = new TreeMap<>();
    private Instant lastPoll;

    AgentCallRates(int historyPoints) {
        if (historyPoints < 1) {
            throw new IllegalArgumentException("historyPoints must be >= 1, was " + historyPoints);
        }
        this.historyPoints = historyPoints;
    }

    /** Takes one poll of every live agent (keyed by agent id) made at {@code at}. */
    synchronized void record(Instant at, Map<String, AgentScrape> scrapes) {
        agents.keySet().retainAll(scrapes.keySet());
        lastPoll = at;
        scrapes.forEach((id, scrape) -> {
            Agent agent = agents.computeIfAbsent(id, k -> new Agent());
            agent.reporting = scrape.counters().isPresent();
            if (!agent.reporting) {
                return;
            }
            GatewayCounters now = scrape.counters().get().gateway();
            if (agent.lastAnswerAt != null) {
                double seconds = Duration.between(agent.lastAnswerAt, at).toNanos() / 1e9;
                if (seconds > 0) {
                    GatewayCounters before = agent.startedAtMillis == scrape.startedAtMillis() ? agent.last
                            : GatewayCounters.IDLE;
                    agent.requestsPerSecond = TrafficAggregator.increase(before.requests(), now.requests()) / seconds;
                    agent.errorsPerSecond = TrafficAggregator.increase(before.errors(), now.errors()) / seconds;
                    agent.points.addLast(new AgentRatePoint(at, agent.requestsPerSecond, agent.errorsPerSecond));
                    while (agent.points.size() > historyPoints) {
                        agent.points.removeFirst();
                    }
                }
            }
            agent.lastAnswerAt = at;
            agent.startedAtMillis = scrape.startedAtMillis();
            agent.last = now;
        });
    }

    /** Every agent of the latest poll with its last {@code limit} points at most, sorted by id. */
    synchronized FleetTraffic fleet(int limit) {
        List<AgentTraffic> out = new ArrayList<>(agents.size());
        agents.forEach((id, a) -> {
            List<AgentRatePoint> all = List.copyOf(a.points);
            out.add(new AgentTraffic(id, a.reporting, a.lastAnswerAt != null && a.last.zookeeperConnected(),
                    a.requestsPerSecond, a.errorsPerSecond, a.last.requests(), a.last.errors(),
                    all.subList(Math.max(0, all.size() - limit), all.size())));
        });
        return new FleetTraffic(lastPoll, out);
    }
}

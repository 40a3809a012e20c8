package io.topaz.control.traffic;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Turns the agents' monotonic counters into fleet-wide rates. Each poll hands in every live agent's scrape at one
 * instant; for each agent that answered, the increase of each counter since that agent's previous answer, divided by
 * the seconds between the two, is its rate, and a rule's rate is the sum over agents:
 *
 * <pre>
 *  agent a:   passed 100 ──(10 s)──▶ 160      +6.0/s ┐
 *  agent b:   passed  40 ──(10 s)──▶  10 (*)  +1.0/s ├─▶ rule flow/item.get: 7.0 passed/s, total 170
 *  agent c:   no answer this poll            (skip)  ┘   (c's next answer is measured from its last one)
 *  (*) a counter that went down, or an agent whose start time changed, restarted: it counts from zero
 * </pre>
 *
 * An agent that is no longer registered drops out, with its baseline. An agent's first answer only sets its baseline
 * (it adds to the totals, not to the rates). Each rule keeps the rates of its last {@code historyPoints} measured polls
 * for a chart (a poll where only first answers reported it adds no point: its rates are unknown, not zero); a rule no
 * agent has counted for that many polls is forgotten.
 *
 * <p>The time is a parameter, so tests move it instead of sleeping. Its methods are synchronized;
 * {@link TrafficPoller} calls {@link #record} from its one thread, and requests read the history.
 */
final class TrafficAggregator {

    private record Baseline(Instant at, long startedAtMillis, Map<RuleKey, RuleCounters> counters) {
    }

    private static final class Sum {
        double passedRate;
        double blockedRate;
        double fallbackRate;
        double passedTotal;
        double blockedTotal;
        int inFallback;
        /** Some agent reporting the rule had a baseline: the rates are measured, not just unknown. */
        boolean measured;
    }

    private final int historyPoints;
    private final Map<String, Baseline> baselines = new HashMap<>();
    private final Map<RuleKey, Deque<RatePoint>> history = new HashMap<>();
    private final Map<RuleKey, Integer> pollsUnseen = new HashMap<>();
    private Instant lastPoll;

    TrafficAggregator(int historyPoints) {
        if (historyPoints < 1) {
            throw new IllegalArgumentException("historyPoints must be >= 1, was " + historyPoints);
        }
        this.historyPoints = historyPoints;
    }

    /** Takes one poll of every live agent (keyed by agent id) made at {@code at}, and returns the new rates. */
    synchronized TrafficSnapshot record(Instant at, Map<String, AgentScrape> scrapes) {
        baselines.keySet().retainAll(scrapes.keySet());
        Map<RuleKey, Sum> sums = new TreeMap<>();
        int reporting = 0;
        for (Map.Entry<String, AgentScrape> e : scrapes.entrySet()) {
            AgentScrape scrape = e.getValue();
            if (scrape.counters().isEmpty()) {
                continue;
            }
            reporting++;
            Map<RuleKey, RuleCounters> now = scrape.counters().get().rules();
            Baseline before = baselines.get(e.getKey());
            double seconds = before == null ? 0 : seconds(before.at(), at);
            boolean restarted = before != null && before.startedAtMillis() != scrape.startedAtMillis();
            for (Map.Entry<RuleKey, RuleCounters> r : now.entrySet()) {
                RuleCounters c = r.getValue();
                Sum sum = sums.computeIfAbsent(r.getKey(), k -> new Sum());
                sum.passedTotal += c.passed();
                sum.blockedTotal += c.blocked();
                sum.inFallback += c.fallbackActive() ? 1 : 0;
                if (seconds > 0) {
                    sum.measured = true;
                    RuleCounters prev = restarted ? RuleCounters.ZERO
                            : before.counters().getOrDefault(r.getKey(), RuleCounters.ZERO);
                    sum.passedRate += increase(prev.passed(), c.passed()) / seconds;
                    sum.blockedRate += increase(prev.blocked(), c.blocked()) / seconds;
                    sum.fallbackRate += increase(prev.fallback(), c.fallback()) / seconds;
                }
            }
            baselines.put(e.getKey(), new Baseline(at, scrape.startedAtMillis(), now));
        }

        List<RuleRate> rules = new ArrayList<>(sums.size());
        sums.forEach((key, s) -> {
            rules.add(new RuleRate(key.kind(), key.rule(), s.passedRate, s.blockedRate, s.fallbackRate,
                    s.passedTotal, s.blockedTotal, s.inFallback));
            Deque<RatePoint> points = history.computeIfAbsent(key, k -> new ArrayDeque<>());
            if (s.measured) {
                points.addLast(new RatePoint(at, s.passedRate, s.blockedRate, s.fallbackRate));
                while (points.size() > historyPoints) {
                    points.removeFirst();
                }
            }
        });
        forgetRulesUnseen(sums.keySet());

        double interval = lastPoll == null ? 0 : seconds(lastPoll, at);
        lastPoll = at;
        return new TrafficSnapshot(at, interval, scrapes.size(), reporting, rules);
    }

    /** The rule's last points, oldest first, at most {@code limit}; empty when no agent has counted it lately. */
    synchronized Optional<List<RatePoint>> history(RuleKey key, int limit) {
        Deque<RatePoint> points = history.get(key);
        if (points == null) {
            return Optional.empty();
        }
        List<RatePoint> all = List.copyOf(points);
        return Optional.of(all.subList(Math.max(0, all.size() - limit), all.size()));
    }

    private void forgetRulesUnseen(java.util.Set<RuleKey> seen) {
        for (RuleKey k : seen) {
            pollsUnseen.put(k, 0);
        }
        Iterator<Map.Entry<RuleKey, Integer>> it = pollsUnseen.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<RuleKey, Integer> e = it.next();
            if (seen.contains(e.getKey())) {
                continue;
            }
            int unseen = e.getValue() + 1;
            if (unseen >= historyPoints) {
                history.remove(e.getKey());
                it.remove();
            } else {
                e.setValue(unseen);
            }
        }
    }

    /** How much a counter grew; a counter that went down was reset (its agent restarted) and counts from zero. */
    static double increase(double before, double now) {
        return now >= before ? now - before : now;
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e9;
    }
}

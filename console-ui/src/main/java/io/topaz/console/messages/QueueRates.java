package io.topaz.console.messages;

import io.topaz.console.controlplane.MessageQueues;

import java.util.HashMap;
import java.util.Map;

/**
 * Per-app redelivery and dead-letter rates from two successive answers of {@code GET /api/v1/messages/queues}: the
 * counters are per queue and count since the owning agent started, so each queue's growth is taken on the agent that
 * reported it both times (same agent id and start time), and summed per app over the seconds between the answers. A
 * queue seen once (new, or its agent did not answer last time), or whose agent restarted, adds nothing until the next
 * answer, rather than a spike or a negative rate.
 */
final class QueueRates {

    /**
     * Answers closer together than this (a Refresh click right after a poll) keep the last rates: a rate over a fraction
     * of a second is mostly noise.
     */
    static final long MIN_INTERVAL_MILLIS = 2_000;

    /** One app's rates, per second. */
    record Rates(double redeliveredPerSecond, double deadLetteredPerSecond) {
    }

    private record Counters(long redelivered, long deadLettered) {
    }

    private Map<String, Counters> previous;
    private long previousAtMillis;
    private Map<String, Rates> latest = Map.of();
    private double intervalSeconds;

    /**
     * Takes the next answer; returns each app's rates since the previous one (an empty map for the first answer, and
     * the last rates again for an answer less than {@link #MIN_INTERVAL_MILLIS} after the one they were measured from).
     */
    Map<String, Rates> next(MessageQueues now) {
        Map<String, Counters> counters = new HashMap<>();
        Map<String, String> appOf = new HashMap<>();
        for (MessageQueues.AgentQueues agent : now.agents()) {
            for (MessageQueues.Queue q : agent.queues()) {
                String key = agent.agentId() + '\u0000' + agent.agentStartedAtMillis() + '\u0000' + q.queue();
                counters.put(key, new Counters(q.redelivered(), q.deadLettered()));
                appOf.put(key, q.app());
            }
        }
        if (previous != null && now.atMillis() - previousAtMillis < MIN_INTERVAL_MILLIS) {
            return latest;
        }
        Map<String, Rates> rates = new HashMap<>();
        if (previous != null) {
            double seconds = (now.atMillis() - previousAtMillis) / 1000.0;
            Map<String, double[]> sums = new HashMap<>();
            counters.forEach((key, c) -> {
                double[] sum = sums.computeIfAbsent(appOf.get(key), a -> new double[2]);
                Counters before = previous.get(key);
                if (before != null && c.redelivered() >= before.redelivered() && c.deadLettered() >= before.deadLettered()) {
                    sum[0] += c.redelivered() - before.redelivered();
                    sum[1] += c.deadLettered() - before.deadLettered();
                }
            });
            sums.forEach((app, s) -> rates.put(app, new Rates(s[0] / seconds, s[1] / seconds)));
            intervalSeconds = seconds;
        }
        previous = counters;
        previousAtMillis = now.atMillis();
        latest = Map.copyOf(rates);
        return latest;
    }

    /** The seconds the latest rates are measured over; 0 before the second answer. */
    double intervalSeconds() {
        return intervalSeconds;
    }
}

package io.topaz.console.controlplane;

import java.util.List;

/**
 * The message service's queues as the control plane gathered them from the broker agents
 * ({@code GET /api/v1/messages/queues}). Counters count since each agent started; rates are their differences between
 * two answers ({@link #atMillis()}).
 *
 * @param unreachable agents that did not answer: their queues are missing from this answer
 */
public record MessageQueues(String at, long atMillis, List<AppTotals> apps, List<AgentQueues> agents,
                            List<String> unreachable) {

    public MessageQueues {
        apps = apps == null ? List.of() : List.copyOf(apps);
        agents = agents == null ? List.of() : List.copyOf(agents);
        unreachable = unreachable == null ? List.of() : List.copyOf(unreachable);
    }

    /** One app summed over its groups and the agents that answered. */
    public record AppTotals(String app, int queues, long backlog, long inFlight, long oldestUnconfirmedAgeMillis,
                            long delivered, long confirmed, long redelivered, long deadLettered, long deadLetters) {
    }

    /** One broker agent's queues; {@code agentStartedAtMillis} changes when it restarts (its counters start again). */
    public record AgentQueues(String agentId, long agentStartedAtMillis, List<Queue> queues) {
        public AgentQueues {
            queues = queues == null ? List.of() : List.copyOf(queues);
        }
    }

    /** One (app, group) queue on its owning agent. */
    public record Queue(String queue, String app, String group, long backlog, long inFlight,
                        long oldestUnconfirmedAgeMillis, long delivered, long confirmed, long redelivered,
                        long deadLettered, long deadLetters) {
    }
}

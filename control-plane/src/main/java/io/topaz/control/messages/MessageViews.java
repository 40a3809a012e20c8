package io.topaz.control.messages;

import java.util.List;

/** What {@code /api/v1/messages/…} answers. Every list of agents that did not answer is {@code unreachable}. */
final class MessageViews {

    private MessageViews() {
    }

    /**
     * One dead letter, with the agent that holds it.
     *
     * @param content the message's JSON content, whole
     */
    record DeadLetterView(String agentId, long id, String queue, String group, String topic, String publisher,
                          String pubTime, long userId, String userNick, long dataId, String content, String deadAt,
                          long deadAtMillis, int attempts, String reason) {
    }

    /**
     * One page of an app's dead letters over every broker agent that answered, newest first.
     *
     * @param total matching dead letters on the agents that answered
     */
    record DeadLetterPage(String app, int page, int size, long total, List<DeadLetterView> items,
                          List<String> unreachable) {
    }

    /** What a replay or purge did: {@code done} dead letters of the {@code requested} ids, summed over the agents. */
    record DeadLetterActionResult(String app, String action, int requested, long done, List<String> unreachable) {
    }

    /** One queue as its owning agent reports it: counters since that agent started. */
    record QueueView(String queue, String app, String group, long backlog, long inFlight,
                     long oldestUnconfirmedAgeMillis, long delivered, long confirmed, long redelivered,
                     long deadLettered, long deadLetters) {
    }

    /**
     * One broker agent's queues. {@code agentStartedAtMillis} tells a restarted agent (whose counters began again
     * from 0) from one that kept running, for whoever turns successive answers into rates.
     */
    record AgentQueues(String agentId, long agentStartedAtMillis, List<QueueView> queues) {
    }

    /**
     * One app's queues summed over its groups and the agents that answered. {@code oldestUnconfirmedAgeMillis} is the
     * largest; {@code deadLetters} is the size of its dead-letter queues now, the other counters count since each
     * agent started.
     */
    record AppTotals(String app, int queues, long backlog, long inFlight, long oldestUnconfirmedAgeMillis,
                     long delivered, long confirmed, long redelivered, long deadLettered, long deadLetters) {
    }

    /**
     * One push connection, with the agent it is connected to.
     *
     * @param inFlight  pushed and neither confirmed nor failed yet
     * @param pushed    pushed since it connected (redeliveries included)
     */
    record ConnectionView(String agentId, String id, String app, String group, String remote, String since,
                          long sinceMillis, long inFlight, long pushed, long confirmed) {
    }

    /** {@code GET /api/v1/messages/connections}: every answering agent's push connections, by app, group, agent. */
    record MessageConnections(String at, long atMillis, List<ConnectionView> connections, List<String> unreachable) {
    }

    /** {@code DELETE /api/v1/messages/connections/{agent}/{id}}: whether the agent had that connection open. */
    record DisconnectResult(String agentId, String id, boolean disconnected) {
    }

    /** {@code GET /api/v1/messages/queues}. */
    record MessageQueues(String at, long atMillis, List<AppTotals> apps, List<AgentQueues> agents,
                         List<String> unreachable) {
    }
}

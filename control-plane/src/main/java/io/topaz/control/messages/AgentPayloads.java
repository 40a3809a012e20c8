package io.topaz.control.messages;

import java.util.List;

/**
 * The JSON the agents' broker ports answer, as {@code docs/tmc-protocol.md} ("The broker port's internal API")
 * defines it. Read leniently: fields an agent adds later are ignored.
 */
final class AgentPayloads {

    private AgentPayloads() {
    }

    /** A message: {@code {"id", "topic", "publisher", "pubTimeMillis", "userId", "userNick", "content", "dataId"}}. */
    record Message(long id, String topic, String publisher, long pubTimeMillis, long userId, String userNick,
                   String content, long dataId) {
    }

    /** One item of {@code GET /internal/v1/dead-letters}. */
    record DeadLetter(Message message, String queue, long deadAtMillis, int attempts, String reason) {
    }

    /** {@code GET /internal/v1/dead-letters}: one page, newest first, and how many match in all. */
    record DeadLetterPage(List<DeadLetter> items, long total) {
    }

    /** One queue of {@code GET /internal/v1/queues}. */
    record Queue(String queue, long backlog, long inFlight, long oldestUnconfirmedAgeMillis, long delivered,
                 long confirmed, long redelivered, long deadLettered, long deadLetters) {
    }

    /** One push connection of {@code GET /internal/v1/connections}. */
    record Connection(String id, String app, String group, String remote, long sinceMillis, long inFlight, long pushed,
                      long confirmed) {
    }

    /** {@code GET /internal/v1/connections}. */
    record Connections(String agentId, List<Connection> connections) {
    }

    /** {@code GET /internal/v1/queues}. */
    record Queues(String agentId, List<Queue> queues) {
    }
}

package io.topaz.agent.broker;

/**
 * A message an app did not confirm within the maximum attempts or the retention, or that its backlog cap pushed out.
 *
 * @param reason {@code MAX_ATTEMPTS}, {@code RETENTION} or {@code BACKLOG_CAP}
 */
public record DeadLetter(BrokerMessage message, QueueName queue, long deadAtMillis, int attempts, String reason) {
}

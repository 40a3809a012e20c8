package io.topaz.agent.broker;

/**
 * One queue as its owner sees it now.
 *
 * @param backlog                   messages stored and not yet confirmed (in flight included)
 * @param inFlight                  handed out and neither confirmed nor due again
 * @param oldestUnconfirmedAgeMillis age of the oldest unconfirmed message, 0 when none
 * @param deadLetters               messages of this queue's app in its dead-letter queue (per app, repeated per group)
 */
public record QueueStats(QueueName queue, long backlog, long inFlight, long oldestUnconfirmedAgeMillis,
                         long delivered, long confirmed, long redelivered, long deadLettered, long deadLetters) {
}

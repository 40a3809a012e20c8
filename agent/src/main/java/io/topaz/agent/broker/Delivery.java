package io.topaz.agent.broker;

/**
 * A message handed out by a consume: hidden from other consumers of its queue until confirmed, or until its
 * redelivery time passes.
 *
 * @param attempt 1 for the first delivery, 2 for the first redelivery, …
 */
public record Delivery(BrokerMessage message, int attempt) {
}

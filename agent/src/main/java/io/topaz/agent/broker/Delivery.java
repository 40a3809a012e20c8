package io.topaz.agent.broker;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * A message handed out by a consume: hidden from other consumers of its queue until confirmed, or until its
 * redelivery time passes.
 *
 * @param attempt     1 for the first delivery, 2 for the first redelivery, …
 * @param contentFile where the content's bytes lie on this agent's disk, when the delivery was read from this agent's
 *                    message log; null otherwise (and never part of the JSON sent to another agent)
 */
public record Delivery(BrokerMessage message, int attempt, @JsonIgnore ContentFile contentFile) {

    public Delivery(BrokerMessage message, int attempt) {
        this(message, attempt, null);
    }
}

package io.topaz.agent.broker;

import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /internal/v1/publish} on the broker port: a platform service's publish, validated as
 * {@code taobao.tmc.message.produce} (but without the topic's producer list). The body is
 * {@code {"topic", "content" (a JSON object, as a string), "userId" or "userNick"}}; the answer {@code {"msgId": n}}
 * once the message is durable at every owner. The future fails with {@link BrokerException}: {@code INVALID} for bad
 * input (400, nothing stored), {@code OVERLOADED} / {@code UNAVAILABLE} for a retryable failure (503).
 */
public interface PublishHandler {

    /** @param publisherName the authenticated token's name, recorded as the message's publisher */
    CompletableFuture<byte[]> publish(String publisherName, byte[] jsonBody);
}

package io.topaz.agent.broker;

import java.util.concurrent.CompletableFuture;

/**
 * Serves {@code POST /internal/v1/publish} on the broker port: a platform service's publish, validated as
 * {@code taobao.tmc.message.produce} (topic, JSON content, size, seller) and stored at every owner before the answer.
 * The gateway's message-service code implements it; the broker port only authenticates the caller (role PUBLISHER or
 * AGENT) and passes the body on.
 */
@FunctionalInterface
public interface PublishHandler {

    /**
     * @param publisherName the name of the caller's control-plane token (the message's publisher)
     * @param jsonBody      the request body, as received
     * @return the JSON answer body ({@code {"msgId": n}}) once the message is durable at every owner; fails with
     *         {@link BrokerException} (OVERLOADED / UNAVAILABLE → 503, INVALID → 400) or
     *         {@link IllegalArgumentException} (→ 400, its message shown to the caller)
     */
    CompletableFuture<byte[]> publish(String publisherName, byte[] jsonBody);
}

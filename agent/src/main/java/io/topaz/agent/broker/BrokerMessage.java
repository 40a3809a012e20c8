package io.topaz.agent.broker;

import java.util.Objects;

/**
 * One message of the message service, as stored once per owning agent and delivered to each receiving queue.
 *
 * @param id            unique across agents and restarts, positive, below 2^53 ({@link MessageIds})
 * @param topic         the topic name
 * @param publisher     the producer's app key (a platform service's token name when published on the broker port)
 * @param pubTimeMillis when the producing agent accepted it (epoch milliseconds)
 * @param userId        the seller's TOP user id (positive)
 * @param userNick      the seller's nick
 * @param content       the JSON object, as a string
 * @param dataId        the business id (the topic's {@code dataIdField}, e.g. {@code tid}), or 0 when it has none
 */
public record BrokerMessage(long id, String topic, String publisher, long pubTimeMillis, long userId, String userNick,
                            String content, long dataId) {

    /** Ids stay below 2^53 so that clients parsing JSON numbers as doubles keep them exact. */
    public static final long MAX_ID = (1L << 53) - 1;

    public BrokerMessage {
        if (id <= 0 || id > MAX_ID) {
            throw new IllegalArgumentException("message id must be 1 to 2^53-1, was " + id);
        }
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(publisher, "publisher");
        Objects.requireNonNull(userNick, "userNick");
        Objects.requireNonNull(content, "content");
        if (userId <= 0) {
            throw new IllegalArgumentException("userId must be positive, was " + userId);
        }
    }
}

package io.topaz.model.config;

import io.topaz.model.validation.Checks;
import io.topaz.model.validation.FieldError;

import java.util.List;

/**
 * The topics an app receives from the message service. A message about a seller reaches the app only when the app
 * subscribes to its topic here and the seller has permitted the app for it ({@code taobao.tmc.user.permit}); the
 * topics must exist when the release is published. One entry per app, keyed by its app key.
 *
 * @param maxBacklog the most unconfirmed messages the app's queues may hold together on an agent before the oldest
 *                   are dead-lettered; null for the broker's default (unlimited unless the agent sets one)
 */
public record Subscription(String appKey, List<String> topics, Long maxBacklog) implements ConfigEntry {

    public static final int MAX_TOPICS = 500;
    /** The smallest backlog cap: below it an app could not take one consume's worth of messages (200). */
    public static final long MIN_BACKLOG = 1_000;
    public static final long MAX_BACKLOG = 1_000_000_000L;

    public Subscription {
        topics = topics == null ? List.of() : List.copyOf(topics);
    }

    public Subscription(String appKey, List<String> topics) {
        this(appKey, topics, null);
    }

    public boolean subscribes(String topic) {
        return topics.contains(topic);
    }

    @Override
    public String key() {
        return appKey;
    }

    @Override
    public List<FieldError> validate() {
        Checks c = new Checks();
        c.appKey("appKey", appKey);
        c.maxLength("appKey", appKey, 64);
        if (topics.isEmpty()) {
            c.fail("topics", null, "must name at least one topic (delete the subscription to unsubscribe the app)");
        }
        if (topics.size() > MAX_TOPICS) {
            c.fail("topics", topics.size() + " topics", "must have at most " + MAX_TOPICS);
        }
        for (int i = 0; i < topics.size(); i++) {
            Topic.topicName(c, "topics[" + i + "]", topics.get(i));
        }
        c.distinct("topics", topics);
        if (maxBacklog != null) {
            c.range("maxBacklog", maxBacklog, MIN_BACKLOG, MAX_BACKLOG);
        }
        return c.errors();
    }
}

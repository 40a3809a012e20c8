package io.topaz.model.config;

import io.topaz.model.validation.Checks;
import io.topaz.model.validation.FieldError;

import java.util.List;

/**
 * The topics an app receives from the message service. A message about a seller reaches the app only when the app
 * subscribes to its topic here and the seller has permitted the app for it ({@code taobao.tmc.user.permit}); the
 * topics must exist when the release is published. One entry per app, keyed by its app key.
 */
public record Subscription(String appKey, List<String> topics) implements ConfigEntry {

    public static final int MAX_TOPICS = 500;

    public Subscription {
        topics = topics == null ? List.of() : List.copyOf(topics);
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
        return c.errors();
    }
}

package io.topaz.model.metadata;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A seller as the message service routes by: which apps the seller has permitted ({@code taobao.tmc.user.permit}),
 * for which topics, and which consumer group of each app the seller is in. Routing asks one question per message —
 * which apps has this seller permitted for this topic — and this record answers it for every app at once.
 *
 * @param userId  TOP's user id: a positive 64-bit integer
 * @param version grows with every change to this seller's permits or group memberships (the metadata event's version)
 */
public record TmcUser(long userId, String nick, List<Permit> permits, long version) {

    /** The group a user is in when no other group names them. */
    public static final String DEFAULT_GROUP = "default";

    public TmcUser {
        permits = permits == null ? List.of() : List.copyOf(permits);
    }

    /**
     * One app's permit.
     *
     * @param topics          the topics permitted; empty when {@code allSubscribed}
     * @param allSubscribed   permitted without a topic list: every topic the app subscribes to, now and later (TOP's
     *                        default when {@code topics} is not given)
     * @param groupName       the app's consumer group this seller's messages go to ({@link #DEFAULT_GROUP} unless the
     *                        app put the seller into another group)
     */
    public record Permit(String appKey, List<String> topics, boolean allSubscribed, String groupName,
                         long createdAtMillis, long modifiedAtMillis) {

        public Permit {
            topics = topics == null ? List.of() : List.copyOf(topics);
            groupName = groupName == null || groupName.isEmpty() ? DEFAULT_GROUP : groupName;
        }

        /** Whether this permit covers {@code topic}, given the topics the app subscribes to in the live release. */
        public boolean covers(String topic, Set<String> subscribedTopics) {
            return subscribedTopics.contains(topic) && (allSubscribed || topics.contains(topic));
        }
    }

    public Optional<Permit> permitOf(String appKey) {
        return permits.stream().filter(p -> p.appKey().equals(appKey)).findFirst();
    }
}

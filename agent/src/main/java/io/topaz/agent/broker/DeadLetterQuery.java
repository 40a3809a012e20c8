package io.topaz.agent.broker;

/**
 * A page of an app's dead letters, newest first.
 *
 * @param topic      only this topic, or null for all
 * @param fromMillis only dead letters that died at or after this time (epoch ms), or 0
 * @param toMillis   only those that died before this time, or {@link Long#MAX_VALUE}
 * @param page       from 0
 * @param size       1 to 500
 */
public record DeadLetterQuery(String appKey, String topic, long fromMillis, long toMillis, int page, int size) {

    public DeadLetterQuery {
        if (appKey == null || appKey.isEmpty()) {
            throw new IllegalArgumentException("appKey is required");
        }
        if (page < 0 || size < 1 || size > 500) {
            throw new IllegalArgumentException("page must be >= 0 and size 1 to 500");
        }
    }

    /** One page with the total number of matching dead letters. */
    public record Page(java.util.List<DeadLetter> items, long total) {
    }
}

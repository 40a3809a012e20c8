package io.topaz.agent.broker;

import java.util.Objects;

/**
 * One (app, consumer group) queue: the unit of ownership, order and confirmation. {@link #key()} is
 * {@code appKey + "/" + group} (app keys and group names never contain '/').
 */
public record QueueName(String appKey, String group) implements Comparable<QueueName> {

    public QueueName {
        Objects.requireNonNull(appKey, "appKey");
        Objects.requireNonNull(group, "group");
        if (appKey.isEmpty() || appKey.indexOf('/') >= 0 || group.isEmpty() || group.indexOf('/') >= 0) {
            throw new IllegalArgumentException("queue names are non-empty app key and group without '/': "
                    + appKey + "/" + group);
        }
    }

    public String key() {
        return appKey + "/" + group;
    }

    /** The inverse of {@link #key()}. */
    public static QueueName parse(String key) {
        int slash = key.indexOf('/');
        if (slash <= 0) {
            throw new IllegalArgumentException("not a queue key (app/group): " + key);
        }
        return new QueueName(key.substring(0, slash), key.substring(slash + 1));
    }

    @Override
    public int compareTo(QueueName o) {
        int c = appKey.compareTo(o.appKey);
        return c != 0 ? c : group.compareTo(o.group);
    }

    @Override
    public String toString() {
        return key();
    }
}

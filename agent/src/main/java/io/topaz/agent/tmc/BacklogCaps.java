package io.topaz.agent.tmc;

import io.topaz.agent.sync.engine.SyncQueues;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.Subscription;

import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The per-app backlog cap for the broker's storage, read from the live release at each question: the app's
 * subscription's {@code maxBacklog}, else the platform default. {@link #UNLIMITED} ({@code Long.MAX_VALUE}) means no
 * cap; the order sync's internal queues ({@link SyncQueues}) have none. Beyond its cap an app's oldest unconfirmed messages are dead-lettered (docs/tmc-protocol.md).
 */
public final class BacklogCaps implements ToLongFunction<String> {

    public static final long UNLIMITED = Long.MAX_VALUE;

    private final Supplier<ConfigSnapshot> liveRelease;
    private final long platformDefault;

    /** @param platformDefault the cap of an app whose subscription sets none; {@link #UNLIMITED} for none */
    public BacklogCaps(Supplier<ConfigSnapshot> liveRelease, long platformDefault) {
        if (platformDefault <= 0) {
            throw new IllegalArgumentException("a backlog cap must be positive, was " + platformDefault);
        }
        this.liveRelease = liveRelease;
        this.platformDefault = platformDefault;
    }

    /** The cap of {@code appKey}'s queues together, in messages. */
    @Override
    public long applyAsLong(String appKey) {
        if (appKey.startsWith(SyncQueues.APP_PREFIX)) {
            return UNLIMITED; // the order sync's internal queues never push a change out; the sync drains them
        }
        Subscription s = liveRelease.get().subscriptions().get(appKey);
        return s == null || s.maxBacklog() == null ? platformDefault : s.maxBacklog();
    }
}

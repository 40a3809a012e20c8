package io.topaz.agent;

import io.topaz.agent.broker.queue.QueueEngine;
import io.topaz.agent.broker.store.Durability;
import io.topaz.agent.tmc.BacklogCaps;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The broker's storage flags ({@code --broker-*}), turned into the storage engine's {@link QueueEngine.Options}.
 *
 * <p><b>Redelivery rule.</b> A delivery neither confirmed nor failed is due again
 * {@code max(redeliveryTimeout, backoff[n-1])} after its n-th delivery, a failed one {@code backoff[n-1]} after the
 * failure (the last level repeats). With {@code --broker-backoff=scaled} (the default) the levels are RocketMQ's
 * (10 s, 30 s, 1 min … 2 h) scaled by {@code redeliveryTimeout / 60 s}: at the default 60 s timeout they are
 * RocketMQ's exactly, and a shorter timeout shortens every level in proportion, so the first redelivery comes after the
 * timeout whatever it is (2 s: after 2 s, 2 s, 2 s, 2 s, 4 s, 6 s …). An explicit list ({@code 5s,30s,5m}) is used as
 * given.
 *
 * @param redeliveryTimeout how long a delivery stays hidden unanswered ({@code --broker-redelivery-timeout}, 1 s–1 day)
 * @param maxAttempts       deliveries before a message is dead-lettered ({@code --broker-max-attempts}, 1–255)
 * @param retention         a message older than this (from its publish time) is dead-lettered
 *                          ({@code --broker-retention}, 1 min–365 days)
 * @param durability        what an acknowledged produce promises ({@code --broker-durability})
 * @param backlogCap        the platform default of an app's backlog cap, messages ({@code --broker-backlog-cap});
 *                          0 for none. An app's subscription's {@code maxBacklog} overrides it
 * @param backoff           the backoff levels; null for the scaled default
 */
public record BrokerSettings(Duration redeliveryTimeout, int maxAttempts, Duration retention, Durability durability,
                             long backlogCap, List<Duration> backoff) {

    /** RocketMQ's levels are meant for this timeout: {@code scaled} multiplies them by timeout / this. */
    static final Duration REFERENCE_TIMEOUT = Duration.ofSeconds(60);

    public BrokerSettings {
        check(redeliveryTimeout != null && redeliveryTimeout.compareTo(Duration.ofSeconds(1)) >= 0
                && redeliveryTimeout.compareTo(Duration.ofDays(1)) <= 0, "broker-redelivery-timeout",
                redeliveryTimeout, "must be between 1s and 1d");
        check(maxAttempts >= 1 && maxAttempts <= 255, "broker-max-attempts", maxAttempts, "must be between 1 and 255");
        check(retention != null && retention.compareTo(Duration.ofMinutes(1)) >= 0
                && retention.compareTo(Duration.ofDays(365)) <= 0, "broker-retention", retention,
                "must be between 1m and 365d");
        check(durability != null, "broker-durability", null, "must be group-commit, sync-each or os");
        check(backlogCap >= 0, "broker-backlog-cap", backlogCap, "must be 0 (no cap) or a number of messages");
        if (backoff != null) {
            backoff = List.copyOf(backoff);
            check(!backoff.isEmpty() && backoff.size() <= 64 && backoff.stream().noneMatch(Duration::isNegative),
                    "broker-backoff", backoff, "must be 'scaled' or 1 to 64 durations such as 10s,30s,1m");
        }
    }

    /** The defaults: 60 s, 16 attempts, 3 days, group commit, no platform backlog cap, scaled backoff. */
    public static BrokerSettings defaults() {
        return new BrokerSettings(Duration.ofSeconds(60), 16, Duration.ofDays(3), Durability.GROUP_COMMIT, 0, null);
    }

    public BrokerSettings withRedelivery(Duration timeout, int attempts) {
        return new BrokerSettings(timeout, attempts, retention, durability, backlogCap, backoff);
    }

    public BrokerSettings withBacklogCap(long cap) {
        return new BrokerSettings(redeliveryTimeout, maxAttempts, retention, durability, cap, backoff);
    }

    /** The backoff levels in force: the explicit list, or RocketMQ's scaled by {@code redeliveryTimeout / 60 s}. */
    public List<Duration> backoffLevels() {
        if (backoff != null) {
            return backoff;
        }
        long timeout = redeliveryTimeout.toMillis();
        return QueueEngine.Options.ROCKETMQ_BACKOFF.stream()
                .map(level -> Duration.ofMillis(level.toMillis() * timeout / REFERENCE_TIMEOUT.toMillis()))
                .toList();
    }

    /** The storage engine's options: its defaults with these flags applied. */
    public QueueEngine.Options engineOptions() {
        return QueueEngine.Options.defaults().withDurability(durability)
                .withRedelivery(redeliveryTimeout, backoffLevels(), maxAttempts)
                .withRetention(retention, QueueEngine.Options.defaults().deadLetterRetention());
    }

    /** The platform default backlog cap as {@link BacklogCaps} takes it. */
    public long platformBacklogCap() {
        return backlogCap == 0 ? BacklogCaps.UNLIMITED : backlogCap;
    }

    /** {@code group-commit}, {@code sync-each} or {@code os}. */
    static Durability durability(String flag) {
        return switch (flag.trim().toLowerCase(Locale.ROOT)) {
            case "group-commit" -> Durability.GROUP_COMMIT;
            case "sync-each" -> Durability.SYNC_EACH;
            case "os" -> Durability.OS;
            default -> throw new IllegalArgumentException("--broker-durability must be group-commit, sync-each or os, "
                    + "was '" + flag + "'");
        };
    }

    /** {@code scaled}, or durations separated by commas. */
    static List<Duration> backoff(String flag, java.util.function.Function<String, Duration> parse) {
        if (flag.trim().equalsIgnoreCase("scaled")) {
            return null;
        }
        List<Duration> levels = new ArrayList<>();
        for (String level : flag.split(",")) {
            levels.add(parse.apply(level));
        }
        return levels;
    }

    private static void check(boolean ok, String name, Object value, String rule) {
        if (!ok) {
            throw new IllegalArgumentException("--" + name + " " + rule + ", was "
                    + (value == null ? "missing" : "'" + value + "'"));
        }
    }
}

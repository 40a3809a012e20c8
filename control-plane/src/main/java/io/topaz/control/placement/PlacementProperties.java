package io.topaz.control.placement;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * {@code topaz.placement.*}: how the leader places seller groups on the live syncing agents of their clusters
 * ({@link Placer}).
 *
 * @param passInterval                 how often the leader runs a placement pass besides the passes ZooKeeper changes
 *                                     trigger (an agent gone or come, a placement or the live release changed);
 *                                     rebalancing happens on these passes
 * @param rebalanceInterval            at most one rebalance move per cluster per interval, counted from the cluster's
 *                                     last placement change of any reason; an agent that (re)joined gets rebalanced
 *                                     work only once it has been live this long
 * @param minStay                      a group moved (for any reason) is not moved by rebalancing again before this; a
 *                                     failover ignores it
 * @param imbalanceRatio               a cluster is rebalanced on a measure (changes/s, then connections, then groups)
 *                                     only when its most and least loaded agents differ by more than this share of
 *                                     the mean per agent
 * @param minImbalanceChangesPerSecond and, for changes/s, by more than this many
 */
@Validated
@ConfigurationProperties("topaz.placement")
public record PlacementProperties(
        @DefaultValue("10s") @NotNull Duration passInterval,
        @DefaultValue("60s") @NotNull Duration rebalanceInterval,
        @DefaultValue("5m") @NotNull Duration minStay,
        @DefaultValue("0.25") double imbalanceRatio,
        @DefaultValue("10") double minImbalanceChangesPerSecond) {

    public PlacementProperties {
        positive("pass-interval", passInterval);
        positive("rebalance-interval", rebalanceInterval);
        if (minStay != null && minStay.isNegative()) {
            throw new IllegalArgumentException("topaz.placement.min-stay must be >= 0, was " + minStay);
        }
        if (imbalanceRatio < 0 || minImbalanceChangesPerSecond < 0) {
            throw new IllegalArgumentException("topaz.placement.imbalance-ratio and min-imbalance-changes-per-second "
                    + "must be >= 0");
        }
    }

    /** The defaults, for tests and tools. */
    public static PlacementProperties defaults() {
        return new PlacementProperties(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofMinutes(5), 0.25, 10);
    }

    private static void positive(String name, Duration d) {
        if (d != null && (d.isNegative() || d.isZero())) {
            throw new IllegalArgumentException("topaz.placement." + name + " must be > 0, was " + d);
        }
    }
}

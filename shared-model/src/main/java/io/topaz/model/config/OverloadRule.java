package io.topaz.model.config;

import io.topaz.model.validation.Checks;
import io.topaz.model.validation.FieldError;

import java.util.List;

/**
 * When an agent counts as overloaded and how it sheds: at most {@code maxInFlight} calls in flight per agent, of
 * which {@code criticalReservePercent} are kept for the critical tier; the low tier may use at most
 * {@code lowSharePercent} of what is left, and none at all while the average latency of the last second is over
 * {@code maxLatencyMillis}. A rule names the agent cluster it applies to; an empty cluster means every cluster that
 * has no rule of its own.
 */
public record OverloadRule(String id, String cluster, Integer maxInFlight, Integer maxLatencyMillis,
                           Integer criticalReservePercent, Integer lowSharePercent) implements ConfigEntry {

    public OverloadRule {
        cluster = cluster == null ? "" : cluster;
        criticalReservePercent = criticalReservePercent == null ? 20 : criticalReservePercent;
        lowSharePercent = lowSharePercent == null ? 50 : lowSharePercent;
    }

    @Override
    public String key() {
        return id;
    }

    @Override
    public List<FieldError> validate() {
        Checks c = new Checks();
        c.identifier("id", id);
        if (!cluster.isEmpty()) {
            c.identifier("cluster", cluster);
        }
        c.range("maxInFlight", maxInFlight, 1, 1_000_000);
        c.range("maxLatencyMillis", maxLatencyMillis, 1, 600_000);
        c.range("criticalReservePercent", criticalReservePercent, 0, 90);
        c.range("lowSharePercent", lowSharePercent, 0, 100);
        return c.errors();
    }
}

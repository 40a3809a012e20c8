package io.topaz.model.config;

import io.topaz.model.validation.Checks;
import io.topaz.model.validation.FieldError;

import java.util.List;

/**
 * A daily call quota for one app on one API group, counted by calendar day in the platform's zone and reset at its
 * midnight; {@code mode} says whether each agent counts its share or the cluster counts together.
 */
public record QuotaRule(String id, String appKey, String apiGroup, Long dailyLimit, LimitMode mode)
        implements ConfigEntry {

    public static final long MAX_DAILY_LIMIT = 100_000_000_000L;

    public QuotaRule {
        mode = mode == null ? LimitMode.SINGLE_NODE : mode;
    }

    public QuotaRule(String id, String appKey, String apiGroup, Long dailyLimit) {
        this(id, appKey, apiGroup, dailyLimit, LimitMode.SINGLE_NODE);
    }

    @Override
    public String key() {
        return id;
    }

    @Override
    public List<FieldError> validate() {
        Checks c = new Checks();
        c.identifier("id", id);
        c.appKey("appKey", appKey);
        c.identifier("apiGroup", apiGroup);
        c.range("dailyLimit", dailyLimit, 1, MAX_DAILY_LIMIT);
        return c.errors();
    }
}

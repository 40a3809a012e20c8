package io.topaz.model.config;

import io.topaz.model.validation.Checks;
import io.topaz.model.validation.FieldError;

import java.util.List;

/**
 * How agents cache one kind of metadata: the local cache's bound, when an entry expires and when it is refreshed in
 * the background, how long a stale entry may still be served while the shared tiers are down, how long a miss is
 * remembered, the Bloom filter's false-positive rate, and how many keys the filter does not know an agent may still
 * look up at the control plane each second (a key created a moment ago whose event has not arrived yet).
 */
public record CacheRule(
        MetadataKind kind,
        Long maximumSize,
        Long expireAfterMillis,
        Long refreshAfterMillis,
        Long maxStalenessMillis,
        Long negativeTtlMillis,
        Double bloomFalsePositiveRate,
        Long filterMissLookupsPerSecond) implements ConfigEntry {

    public CacheRule {
        maximumSize = maximumSize == null ? 100_000L : maximumSize;
        expireAfterMillis = expireAfterMillis == null ? 600_000L : expireAfterMillis;
        refreshAfterMillis = refreshAfterMillis == null ? 60_000L : refreshAfterMillis;
        maxStalenessMillis = maxStalenessMillis == null ? 3_600_000L : maxStalenessMillis;
        negativeTtlMillis = negativeTtlMillis == null ? 30_000L : negativeTtlMillis;
        bloomFalsePositiveRate = bloomFalsePositiveRate == null ? 0.01 : bloomFalsePositiveRate;
        filterMissLookupsPerSecond = filterMissLookupsPerSecond == null ? 100L : filterMissLookupsPerSecond;
    }

    @Override
    public String key() {
        return kind == null ? null : kind.name();
    }

    @Override
    public List<FieldError> validate() {
        Checks c = new Checks();
        c.required("kind", kind);
        if (kind != null && !kind.cached()) {
            c.fail("kind", kind.name(), "is not read through the agents' cache: a cache rule applies to APP, SESSION, "
                    + "TMC_USER or TMC_GROUPS");
        }
        c.range("maximumSize", maximumSize, 1, 100_000_000L);
        c.range("expireAfterMillis", expireAfterMillis, 1_000, 7L * 24 * 3_600_000);
        c.range("refreshAfterMillis", refreshAfterMillis, 100, 7L * 24 * 3_600_000);
        if (refreshAfterMillis != null && expireAfterMillis != null && refreshAfterMillis >= expireAfterMillis) {
            c.fail("refreshAfterMillis", refreshAfterMillis, "must be less than expireAfterMillis (" + expireAfterMillis + ")");
        }
        c.range("maxStalenessMillis", maxStalenessMillis, 0, 7L * 24 * 3_600_000);
        c.range("negativeTtlMillis", negativeTtlMillis, 0, 3_600_000);
        if (bloomFalsePositiveRate == null || !(bloomFalsePositiveRate > 0.0 && bloomFalsePositiveRate <= 0.5)) {
            c.fail("bloomFalsePositiveRate", bloomFalsePositiveRate, "must be above 0 and at most 0.5");
        }
        c.range("filterMissLookupsPerSecond", filterMissLookupsPerSecond, 0, 100_000);
        return c.errors();
    }
}

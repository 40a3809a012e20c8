package io.topaz.agent.metadata;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.topaz.agent.AgentMetrics;
import io.topaz.model.config.MetadataKind;

import java.util.Locale;

/**
 * Per kind and tier: {@code topaz_metadata_lookups_total{kind,tier,result}} (l1 hit/miss, l2 hit/miss/error,
 * l3 found/absent/error), {@code topaz_metadata_load_seconds{kind,tier}}, stale serves, Bloom rejections, lookups
 * refused because too many keys were waiting for L3 ({@code topaz_metadata_pending_overflow_total}), negative
 * hits and whether the shared tiers are reachable; of the keys the Bloom filter rejects, those looked up anyway
 * ({@code topaz_metadata_filter_miss_lookups_total}), found so (created before their event arrived,
 * {@code topaz_metadata_filter_miss_found_total}) and left to the filter's answer because the per-second budget was
 * spent ({@code topaz_metadata_filter_miss_refused_total}).
 */
final class MetadataMetrics {

    final Counter l1Hit;
    final Counter l1Miss;
    final Counter l2Hit;
    final Counter l2Miss;
    final Counter l2Error;
    final Counter l3Found;
    final Counter l3Absent;
    final Counter l3Error;
    final Counter l3Calls;
    final Timer l2Latency;
    final Timer l3Latency;
    final Counter staleServed;
    final Counter bloomRejected;
    final Counter negativeHit;
    final Counter invalidations;
    final Counter overflow;
    final Counter filterMissLookups;
    final Counter filterMissFound;
    final Counter filterMissRefused;

    MetadataMetrics(MeterRegistry registry, MetadataKind kind, java.util.function.Supplier<Number> size,
                    java.util.function.Supplier<Number> sourceUp) {
        String k = kind.name().toLowerCase(Locale.ROOT);
        l1Hit = lookups(registry, k, "l1", "hit");
        l1Miss = lookups(registry, k, "l1", "miss");
        l2Hit = lookups(registry, k, "l2", "hit");
        l2Miss = lookups(registry, k, "l2", "miss");
        l2Error = lookups(registry, k, "l2", "error");
        l3Found = lookups(registry, k, "l3", "found");
        l3Absent = lookups(registry, k, "l3", "absent");
        l3Error = lookups(registry, k, "l3", "error");
        l3Calls = Counter.builder("topaz.metadata.l3.calls").tag("kind", k)
                .description("batch calls to the control plane").register(registry);
        // Buckets, not client-side percentiles: L2 loads complete on Lettuce's event loops (AgentMetrics).
        l2Latency = Timer.builder("topaz.metadata.load").tag("kind", k).tag("tier", "l2")
                .serviceLevelObjectives(AgentMetrics.LATENCY_BUCKETS).register(registry);
        l3Latency = Timer.builder("topaz.metadata.load").tag("kind", k).tag("tier", "l3")
                .serviceLevelObjectives(AgentMetrics.LATENCY_BUCKETS).register(registry);
        staleServed = Counter.builder("topaz.metadata.stale.served").tag("kind", k)
                .description("entries served past their expiry because L2 and L3 could not refresh them")
                .register(registry);
        bloomRejected = Counter.builder("topaz.metadata.bloom.rejected").tag("kind", k)
                .description("lookups of keys the Bloom filter says do not exist").register(registry);
        negativeHit = Counter.builder("topaz.metadata.negative.hits").tag("kind", k)
                .description("lookups answered by a cached miss").register(registry);
        invalidations = Counter.builder("topaz.metadata.invalidations").tag("kind", k)
                .description("entries dropped on a metadata event").register(registry);
        overflow = Counter.builder("topaz.metadata.pending.overflow").tag("kind", k)
                .description("lookups refused at once because too many keys were waiting for the control plane")
                .register(registry);
        filterMissLookups = Counter.builder("topaz.metadata.filter.miss.lookups").tag("kind", k)
                .description("keys the Bloom filter rejected that were looked up at the control plane anyway")
                .register(registry);
        filterMissFound = Counter.builder("topaz.metadata.filter.miss.found").tag("kind", k)
                .description("keys the Bloom filter rejected that exist: created before their event reached this agent")
                .register(registry);
        filterMissRefused = Counter.builder("topaz.metadata.filter.miss.refused").tag("kind", k)
                .description("keys the Bloom filter rejected that were not looked up: the per-second budget was spent")
                .register(registry);
        // strong references: the suppliers are lambdas nothing else holds, and a weak gauge would read NaN
        Gauge.builder("topaz.metadata.l1.size", size).tag("kind", k).strongReference(true)
                .description("entries in the local cache").register(registry);
        Gauge.builder("topaz.metadata.source.up", sourceUp).tag("kind", k).strongReference(true)
                .description("1 while the control plane (L3) answers, 0 after a failed load").register(registry);
    }

    private static Counter lookups(MeterRegistry registry, String kind, String tier, String result) {
        return Counter.builder("topaz.metadata.lookups").tag("kind", kind).tag("tier", tier).tag("result", result)
                .register(registry);
    }
}

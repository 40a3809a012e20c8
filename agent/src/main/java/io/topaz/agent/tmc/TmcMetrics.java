package io.topaz.agent.tmc;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The produce side's meters: {@code topaz.broker.produced} per topic (acknowledged messages; topics come from the
 * release, so the label set is bounded by config) and {@code topaz.broker.produce.failures} per reason (a fixed set:
 * {@link Reason}).
 */
final class TmcMetrics {

    /** Why a produce was refused or failed. */
    enum Reason {
        UNKNOWN_TOPIC("unknown-topic"),
        NOT_PRODUCER("not-producer"),
        INVALID_CONTENT("invalid-content"),
        CONTENT_TOO_LARGE("content-too-large"),
        UNKNOWN_SELLER("unknown-seller"),
        INVALID_TARGET("invalid-target"),
        OVERLOADED("overloaded"),
        UNAVAILABLE("unavailable"),
        ERROR("error");

        final String label;

        Reason(String label) {
            this.label = label;
        }
    }

    private final MeterRegistry registry;
    private final Map<String, Counter> produced = new ConcurrentHashMap<>();
    private final Map<Reason, Counter> failures = new ConcurrentHashMap<>();

    TmcMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void produced(String topic) {
        produced.computeIfAbsent(topic, t -> Counter.builder("topaz.broker.produced")
                .description("messages produced and acknowledged (durable at every receiving queue's owner)")
                .tag("topic", t).register(registry)).increment();
    }

    void failed(Reason reason) {
        failures.computeIfAbsent(reason, r -> Counter.builder("topaz.broker.produce.failures")
                .description("produces refused (bad input) or failed (broker), by reason")
                .tag("reason", r.label).register(registry)).increment();
    }
}

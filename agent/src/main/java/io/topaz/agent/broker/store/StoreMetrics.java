package io.topaz.agent.broker.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** The store's meters, registered once. */
record StoreMetrics(Counter appends, Counter appendedBytes, Counter syncs, Counter overloaded, Counter corruptions,
                    Timer recovery, Counter mergeRuns, Counter mergeAborts) {

    static StoreMetrics register(MeterRegistry registry) {
        return new StoreMetrics(
                Counter.builder("topaz.store.appends").register(registry),
                Counter.builder("topaz.store.appended.bytes").register(registry),
                Counter.builder("topaz.store.syncs").description("forces of the log to disk").register(registry),
                Counter.builder("topaz.store.overloaded")
                        .description("appends refused because too many waited for a group commit").register(registry),
                Counter.builder("topaz.store.corrupt.records")
                        .description("corrupt records or damaged ranges found on recovery or read; never returned")
                        .register(registry),
                Timer.builder("topaz.store.recovery").register(registry),
                Counter.builder("topaz.store.merge.runs").register(registry),
                Counter.builder("topaz.store.merge.aborts")
                        .description("merges stopped before deleting anything").register(registry));
    }
}

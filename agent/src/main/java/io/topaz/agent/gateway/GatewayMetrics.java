package io.topaz.agent.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per API: {@code topaz_gateway_requests_total{method}}, {@code topaz_gateway_errors_total{method,code}},
 * {@code topaz_gateway_latency_seconds{method}} with p50/p99, {@code topaz_gateway_in_flight{method}}. Methods that
 * are not configured APIs are counted under {@code method="unknown"}, so a caller cannot grow the label set.
 */
final class GatewayMetrics {

    private record PerApi(Counter requests, Timer latency, AtomicInteger inFlight) {
    }

    private final MeterRegistry registry;
    private final Map<String, PerApi> apis = new ConcurrentHashMap<>();
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();

    GatewayMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    private PerApi api(String method) {
        return apis.computeIfAbsent(method, m -> {
            AtomicInteger inFlight = new AtomicInteger();
            Gauge.builder("topaz.gateway.in.flight", inFlight, AtomicInteger::get).tag("method", m)
                    .description("calls of this API being handled").register(registry);
            return new PerApi(
                    Counter.builder("topaz.gateway.requests").tag("method", m).description("calls").register(registry),
                    Timer.builder("topaz.gateway.latency").tag("method", m).publishPercentiles(0.5, 0.99)
                            .description("time from the request's arrival to the response written").register(registry),
                    inFlight);
        });
    }

    /** Called when a call's method is known; returns the label to use for it. */
    String started(String method, boolean configured) {
        String label = configured ? method : "unknown";
        api(label).inFlight.incrementAndGet();
        return label;
    }

    void finished(String label, TopError error, long nanos) {
        PerApi a = api(label);
        a.inFlight.decrementAndGet();
        a.requests.increment();
        a.latency.record(Duration.ofNanos(nanos));
        if (error != null) {
            errors.computeIfAbsent(label + '\u0000' + error.code(), k -> Counter.builder("topaz.gateway.errors")
                    .tag("method", label).tag("code", Integer.toString(error.code()))
                    .description("calls answered with a TOP error").register(registry)).increment();
        }
    }
}

package io.topaz.agent.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per API: {@code topaz_gateway_requests_total{method}}, {@code topaz_gateway_errors_total{method,code}},
 * {@code topaz_gateway_latency_seconds{method}} with p50/p99, split into {@code topaz_gateway_upstream_latency_seconds}
 * (waiting for the upstream's answers, for calls that reached one) and {@code topaz_gateway_own_latency_seconds} (the
 * rest: what the gateway itself added, its queueing on the event loop included), and
 * {@code topaz_gateway_in_flight{method}}. Methods that
 * are not configured APIs are counted under {@code method="unknown"}, so a caller cannot grow the label set.
 */
final class GatewayMetrics {

    private record PerApi(Counter requests, Timer latency, Timer upstream, Timer own, AtomicInteger inFlight) {
    }

    /**
     * Bucket bounds of the gateway's own latency, so that an SLO such as "adds at most 1 ms to 99 % of calls" can be
     * read and summed across a fleet ({@code _bucket{le="0.001"}} over {@code _count}), which quantiles cannot.
     */
    static final Duration[] OWN_LATENCY_SLOS = {Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofSeconds(1)};

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
                    Timer.builder("topaz.gateway.upstream.latency").tag("method", m).publishPercentiles(0.5, 0.99)
                            .description("time waiting for the upstream's answers (all attempts)").register(registry),
                    // Buckets only: Prometheus gets no quantiles beside them anyway, and Micrometer's client-side
                    // percentiles (HdrHistogram) yield to other event loops' writes when a value widens their range.
                    Timer.builder("topaz.gateway.own.latency").tag("method", m)
                            .serviceLevelObjectives(OWN_LATENCY_SLOS)
                            .description("the gateway's own share of the latency: the total less the upstream's")
                            .register(registry),
                    inFlight);
        });
    }

    /** Called when a call's method is known; returns the label to use for it. */
    String started(String method, boolean configured) {
        String label = configured ? method : "unknown";
        api(label).inFlight.incrementAndGet();
        return label;
    }

    /**
     * @param nanos         from the request's arrival to its response written
     * @param upstreamNanos of which waiting for upstream answers; 0 when no upstream was called, negative when the
     *                      time is not split (a batch, whose sub-calls wait for their upstreams side by side)
     */
    void finished(String label, TopError error, long nanos, long upstreamNanos) {
        PerApi a = api(label);
        a.inFlight.decrementAndGet();
        a.requests.increment();
        a.latency.record(nanos, TimeUnit.NANOSECONDS);
        if (upstreamNanos >= 0) {
            if (upstreamNanos > 0) {
                a.upstream.record(upstreamNanos, TimeUnit.NANOSECONDS);
            }
            a.own.record(Math.max(0, nanos - upstreamNanos), TimeUnit.NANOSECONDS);
        }
        if (error != null) {
            errors.computeIfAbsent(label + '\u0000' + error.code(), k -> Counter.builder("topaz.gateway.errors")
                    .tag("method", label).tag("code", Integer.toString(error.code()))
                    .description("calls answered with a TOP error").register(registry)).increment();
        }
    }
}

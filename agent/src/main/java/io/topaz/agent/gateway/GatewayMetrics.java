package io.topaz.agent.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.topaz.agent.AgentMetrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per API: {@code topaz_gateway_requests_total{method}}, {@code topaz_gateway_errors_total{method,code}},
 * {@code topaz_gateway_latency_seconds{method}}, split into {@code topaz_gateway_upstream_latency_seconds} (waiting for
 * the upstream's answers, for calls that reached one) and {@code topaz_gateway_own_latency_seconds} (the rest: what the
 * gateway itself added, its queueing on the event loop included), and {@code topaz_gateway_in_flight{method}}. The
 * three latencies are histograms with the same buckets ({@link AgentMetrics#LATENCY_BUCKETS}): p50 and p99 come from
 * {@code histogram_quantile}, and an objective such as "adds at most 1 ms to 99 % of calls" reads across a fleet as
 * {@code _bucket{le="0.001"}} over {@code _count}. Methods that are not configured APIs are counted under
 * {@code method="unknown"}, so a caller cannot grow the label set.
 */
final class GatewayMetrics {

    private record PerApi(Counter requests, Timer latency, Timer upstream, Timer own, AtomicInteger inFlight) {
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
                    latency("topaz.gateway.latency", m, "time from the request's arrival to the response written"),
                    latency("topaz.gateway.upstream.latency", m,
                            "time waiting for the upstream's answers (all attempts)"),
                    latency("topaz.gateway.own.latency", m,
                            "the gateway's own share of the latency: the total less the upstream's"),
                    inFlight);
        });
    }

    private Timer latency(String name, String method, String description) {
        return Timer.builder(name).tag("method", method).serviceLevelObjectives(AgentMetrics.LATENCY_BUCKETS)
                .description(description).register(registry);
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
        if (upstreamNanos > 0) {
            a.upstream.record(upstreamNanos, TimeUnit.NANOSECONDS);
        }
        if (upstreamNanos >= 0) {
            a.own.record(Math.max(0, nanos - upstreamNanos), TimeUnit.NANOSECONDS);
        }
        if (error != null) {
            errors.computeIfAbsent(label + '\u0000' + error.code(), k -> Counter.builder("topaz.gateway.errors")
                    .tag("method", label).tag("code", Integer.toString(error.code()))
                    .description("calls answered with a TOP error").register(registry)).increment();
        }
    }
}

package io.topaz.agent.traffic;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One rule's meters, created once when the rule is applied so a decision costs no lookup:
 * {@code topaz_traffic_decisions_total{kind,rule,outcome=passed|blocked}},
 * {@code topaz_traffic_fallback_total{kind,rule}} (decisions taken on the local share because the cluster counter
 * was unreachable) and {@code topaz_traffic_fallback_active{kind,rule}} (1 while in fallback).
 */
final class RuleMeters {

    final String kind;
    final String rule;
    final Counter passed;
    final Counter blocked;
    final Counter fallback;
    final AtomicInteger fallbackActive = new AtomicInteger();
    private final List<Meter> meters;

    RuleMeters(MeterRegistry registry, String kind, String rule) {
        this.kind = kind;
        this.rule = rule;
        this.passed = Counter.builder("topaz.traffic.decisions").tag("kind", kind).tag("rule", rule)
                .tag("outcome", "passed").description("traffic-control decisions per rule").register(registry);
        this.blocked = Counter.builder("topaz.traffic.decisions").tag("kind", kind).tag("rule", rule)
                .tag("outcome", "blocked").description("traffic-control decisions per rule").register(registry);
        this.fallback = Counter.builder("topaz.traffic.fallback").tag("kind", kind).tag("rule", rule)
                .description("decisions on the local share while the cluster counter was unreachable")
                .register(registry);
        Gauge active = Gauge.builder("topaz.traffic.fallback.active", fallbackActive, AtomicInteger::get)
                .tag("kind", kind).tag("rule", rule)
                .description("1 while the rule runs on the local share (cluster counter unreachable)")
                .register(registry);
        this.meters = List.of(passed, blocked, fallback, active);
    }

    void remove(MeterRegistry registry) {
        meters.forEach(registry::remove);
    }
}

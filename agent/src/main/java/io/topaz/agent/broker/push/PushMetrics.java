package io.topaz.agent.broker.push;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.topaz.agent.broker.QueueName;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The push WebSocket's meters on the agent's registry (its {@code /metrics}): connections per app and group, messages
 * pushed, in flight (pushed, not yet confirmed or failed, over all connections), confirmation latency (push written →
 * confirm received), failures reported by clients, and connections closed as too slow.
 */
final class PushMetrics {

    private final MeterRegistry registry;
    private final Map<QueueName, AtomicInteger> connected = new ConcurrentHashMap<>();
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicLong slowCloses = new AtomicLong();
    private final Counter pushed;
    private final Counter failed;
    private final Counter slowClosed;
    private final Counter zeroCopied;
    private final Timer confirmLatency;

    PushMetrics(MeterRegistry registry) {
        this.registry = registry;
        pushed = Counter.builder("topaz.push.pushed").description("messages pushed over WebSocket (SEND frames)")
                .register(registry);
        failed = Counter.builder("topaz.push.failed").description("pushed messages a client reported failed "
                + "(__kind 20)").register(registry);
        slowClosed = Counter.builder("topaz.push.slow.closes").description("push connections closed as too slow")
                .register(registry);
        zeroCopied = Counter.builder("topaz.push.zero.copy").description("pushes whose content went out as a file "
                + "region of the message log (zero-copy)").register(registry);
        confirmLatency = Timer.builder("topaz.push.confirm.latency")
                .description("from a push written to its confirm received").publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(1))
                .register(registry);
        Gauge.builder("topaz.push.in.flight", inFlight, AtomicLong::get)
                .description("messages pushed and not yet confirmed, over every push connection").register(registry);
    }

    /** The push ring's meters: events published, and dropped because the ring was full. */
    void ring(PushRing ring) {
        io.micrometer.core.instrument.FunctionCounter.builder("topaz.push.ring.published", ring, PushRing::published)
                .description("stored messages announced to the push connections through the ring").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("topaz.push.ring.full", ring, PushRing::full)
                .description("announcements dropped because the push ring was full (those messages reached the "
                        + "connections by polling)").register(registry);
    }

    void connected(QueueName q) {
        connected.computeIfAbsent(q, k -> {
            AtomicInteger n = new AtomicInteger();
            Gauge.builder("topaz.push.connections", n, AtomicInteger::get).tag("app", k.appKey())
                    .tag("group", k.group()).description("push connections of the app's group on this agent")
                    .register(registry);
            return n;
        }).incrementAndGet();
    }

    void disconnected(QueueName q) {
        AtomicInteger n = connected.get(q);
        if (n != null) {
            n.decrementAndGet();
        }
    }

    void pushed(int n) {
        pushed.increment(n);
        inFlight.addAndGet(n);
    }

    void confirmed(long pushedAtNanos, long nowNanos) {
        inFlight.decrementAndGet();
        confirmLatency.record(Math.max(0, nowNanos - pushedAtNanos), TimeUnit.NANOSECONDS);
    }

    void failed() {
        inFlight.decrementAndGet();
        failed.increment();
    }

    /** Unconfirmed messages of a closed connection, given back. */
    void released(int n) {
        inFlight.addAndGet(-n);
    }

    void zeroCopied() {
        zeroCopied.increment();
    }

    /** Pushes sent zero-copy since the start (on this registry). */
    long zeroCopies() {
        return (long) zeroCopied.count();
    }

    void slowClosed() {
        slowCloses.incrementAndGet();
        slowClosed.increment();
    }

    long slowCloses() {
        return slowCloses.get();
    }

    int connections(QueueName q) {
        AtomicInteger n = connected.get(q);
        return n == null ? 0 : n.get();
    }
}

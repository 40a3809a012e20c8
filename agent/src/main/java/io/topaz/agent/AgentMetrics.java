package io.topaz.agent;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.Closeable;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** The agent's meters, scraped from its admin port at {@code /metrics}. */
public final class AgentMetrics implements Closeable {

    /**
     * Bucket bounds of the agent's latency histograms (the gateway's and the metadata loads'), 0.25 ms to 10 s.
     * Fixed buckets, never Micrometer's client-side percentiles: those record into HdrHistogram, whose recorder
     * yields to other writers when a value widens its range, and both recording and scraping run on event loops.
     * Buckets also sum across a fleet, which quantiles cannot: p50 and p99 are read with
     * {@code histogram_quantile(0.99, sum by (le) (rate(..._bucket[5m])))}.
     */
    public static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(1).dividedBy(4), Duration.ofMillis(1).dividedBy(2),
            Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicLong appliedRelease = new AtomicLong();
    private final AtomicInteger zkConnected = new AtomicInteger();
    private final Counter applies;
    private final Counter applyFailures;
    private final Timer applyTime;
    private final DistributionSummary blobBytes;
    private final JvmGcMetrics gc = new JvmGcMetrics();

    public AgentMetrics(String agentId, String cluster) {
        registry.config().commonTags("agent", agentId, "cluster", cluster);
        Gauge.builder("topaz.config.applied.release", appliedRelease, AtomicLong::get)
                .description("the release whose snapshot this agent serves").register(registry);
        Gauge.builder("topaz.zookeeper.connected", zkConnected, AtomicInteger::get)
                .description("1 while connected to ZooKeeper").register(registry);
        applies = Counter.builder("topaz.config.applies").description("releases applied").register(registry);
        applyFailures = Counter.builder("topaz.config.apply.failures")
                .description("attempts to apply a release that failed; the previous release kept serving").register(registry);
        applyTime = Timer.builder("topaz.config.apply.duration").description("fetch, verify, decode and swap a release")
                .register(registry);
        blobBytes = DistributionSummary.builder("topaz.config.blob.fetched").baseUnit("bytes")
                .description("release blobs fetched from ZooKeeper").register(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public String scrape() {
        return registry.scrape();
    }

    public void applied(long release, long nanos) {
        appliedRelease.set(release);
        applies.increment();
        applyTime.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A release loaded from local disk at boot. */
    public void restored(long release) {
        appliedRelease.set(release);
    }

    public void applyFailed() {
        applyFailures.increment();
    }

    public void blobFetched(int bytes) {
        blobBytes.record(bytes);
    }

    public void zookeeperConnected(boolean connected) {
        zkConnected.set(connected ? 1 : 0);
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}

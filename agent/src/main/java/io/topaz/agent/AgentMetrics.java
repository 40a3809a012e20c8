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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** The agent's meters, scraped from its admin port at {@code /metrics}. */
public final class AgentMetrics implements Closeable {

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

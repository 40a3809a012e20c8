package io.topaz.agent.traffic;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a cluster-wide rule runs on its local share because the cluster counter failed, and when to try the
 * counter again. After a failure the rule stays local for {@code retryMillis}; then the next decision probes the
 * counter, and a success returns the rule to cluster mode. Both transitions are logged once and shown by
 * {@code topaz_traffic_fallback_active}.
 */
final class Fallback {

    private static final Logger log = LoggerFactory.getLogger(Fallback.class);

    private final RuleMeters meters;
    private final long retryMillis;
    private final java.util.concurrent.atomic.AtomicBoolean active = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile long retryAt;

    Fallback(RuleMeters meters, long retryMillis) {
        this.meters = meters;
        this.retryMillis = retryMillis;
    }

    /** True while decisions should be taken locally without asking the cluster counter. */
    boolean local(long nowMillis) {
        return active.get() && nowMillis < retryAt;
    }

    boolean active() {
        return active.get();
    }

    void failed(long nowMillis, Throwable cause) {
        retryAt = nowMillis + retryMillis;
        if (active.compareAndSet(false, true)) {
            meters.fallbackActive.set(1);
            log.warn("{} rule {}: cluster counter unreachable ({}); enforcing this agent's local share until it "
                    + "answers", meters.kind, meters.rule, cause == null ? "?" : rootMessage(cause));
        }
    }

    /** The cluster counter answered; returns true when this ended a fallback. */
    boolean succeeded() {
        if (active.compareAndSet(true, false)) {
            meters.fallbackActive.set(0);
            log.info("{} rule {}: cluster counter answers again; back to the cluster-wide limit", meters.kind,
                    meters.rule);
            return true;
        }
        return false;
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
    }
}

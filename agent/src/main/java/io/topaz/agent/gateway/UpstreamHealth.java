package io.topaz.agent.gateway;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Passive health checks: an upstream instance that fails {@code threshold} calls in a row (connection refused,
 * timeout, reset, a 5xx) is ejected for {@code coolOff}; after it, calls go to it again and one success clears it.
 * Time is read from the ticker passed in (nanoseconds), so tests move it by hand.
 */
final class UpstreamHealth {

    private static final class State {
        int consecutiveFailures;
        long ejectedUntil;
        boolean ejected;
    }

    private final int threshold;
    private final long coolOffNanos;
    private final LongSupplier nanos;
    private final Map<String, State> states = new ConcurrentHashMap<>();

    UpstreamHealth(int threshold, Duration coolOff, LongSupplier nanos) {
        this.threshold = threshold;
        this.coolOffNanos = coolOff.toNanos();
        this.nanos = nanos;
    }

    boolean healthy(String url) {
        State s = states.get(url);
        if (s == null) {
            return true;
        }
        synchronized (s) {
            return !s.ejected || nanos.getAsLong() - s.ejectedUntil >= 0;
        }
    }

    void success(String url) {
        State s = states.get(url);
        if (s != null) {
            synchronized (s) {
                s.consecutiveFailures = 0;
                s.ejected = false;
            }
        }
    }

    /** Forgets every instance but {@code urls} (those a release removed). */
    void retainOnly(Set<String> urls) {
        states.keySet().retainAll(urls);
    }

    /** The instances whose health is tracked (tests). */
    Set<String> tracked() {
        return Set.copyOf(states.keySet());
    }

    /** Records a failure; returns true when it ejects the instance. */
    boolean failure(String url) {
        State s = states.computeIfAbsent(url, u -> new State());
        synchronized (s) {
            s.consecutiveFailures++;
            if (s.consecutiveFailures >= threshold && (!s.ejected || nanos.getAsLong() - s.ejectedUntil >= 0)) {
                s.ejected = true;
                s.ejectedUntil = nanos.getAsLong() + coolOffNanos;
                return true;
            }
            return false;
        }
    }
}

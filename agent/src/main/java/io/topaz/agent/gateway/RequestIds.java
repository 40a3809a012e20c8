package io.topaz.agent.gateway;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Request ids unique across agents and restarts: a random per-process prefix and a counter, in base 36 (about 16
 * characters). Cheaper than a UUID per request and as unique in practice.
 */
final class RequestIds {

    private final String prefix;
    private final AtomicLong counter = new AtomicLong();

    RequestIds() {
        long r = new SecureRandom().nextLong() & 0x7fff_ffff_ffffL;
        this.prefix = Long.toString(r, 36);
    }

    String next() {
        return prefix + Long.toString(counter.incrementAndGet(), 36);
    }
}

package io.topaz.agent.traffic;

import java.util.concurrent.CompletableFuture;

/**
 * One rule's permit source. {@link #tryAcquire} answers at once with a shared completed future whenever it can (the
 * single-node path allocates nothing); in cluster mode it waits for the cluster counter only when its local batch of
 * permits is used up.
 */
interface Limiter {

    /** The answer "refused". */
    CompletableFuture<Permit> BLOCK = CompletableFuture.completedFuture(null);

    /** Completes with the permit taken, or with null when the rule refuses the call. */
    CompletableFuture<Permit> tryAcquire(long nowMillis);

    RuleMeters meters();

    /** Takes a published rule's new limit (calls per second, or per day) without losing the counts so far. */
    void limit(long newLimit);

    /**
     * Gives back what this limiter holds of a shared counter (unused permits); called when the rule goes or the
     * agent stops. Completes when done.
     */
    default CompletableFuture<?> release() {
        return BLOCK;
    }

    /** Whether a cluster-wide rule decides on this agent's local share now because the counter is unreachable. */
    default boolean inFallback() {
        return false;
    }
}

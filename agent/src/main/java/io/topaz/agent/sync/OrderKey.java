package io.topaz.agent.sync;

/**
 * What reconciliation compares an order by on both sides: its id, its version ({@code modified} in epoch
 * milliseconds), {@code jdp_hashcode} ({@link JdpResponse#hashcode}) and the deleted flag.
 */
public record OrderKey(long tid, long modifiedMillis, String hashcode, boolean deleted) {
}

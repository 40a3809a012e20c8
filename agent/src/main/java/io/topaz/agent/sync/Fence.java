package io.topaz.agent.sync;

/**
 * The lease a syncing agent holds on (target, seller group): {@code epoch} grows with every new holder (a ZooKeeper
 * lease). Every target write runs in a transaction that also moves the target's fencing row
 * ({@code jdp_sync_fence(sync_group, epoch, holder)}) to this epoch, and is refused ({@link FencedException}) when
 * the row already holds a higher epoch — a stale holder's write never lands.
 */
public record Fence(String target, String group, long epoch, String holder) {
}

package io.topaz.agent.sync;

/**
 * A digest of the orders whose tid lies in {@code [tidFrom, tidTo)} (within a bucket range and a modified range),
 * computed inside a database: the row count and an order-independent sum of per-row hashes over
 * (tid, modified millis, jdp_hashcode, deleted). Equal digests on both sides mean equal ranges (up to hash
 * collisions); differing ones are bisected.
 */
public record RangeDigest(long tidFrom, long tidTo, long count, long hash) {
}

package io.topaz.agent.sync;

/**
 * A digest of the orders whose tid lies in {@code [tidFrom, tidTo)} (within a bucket range and a modified range),
 * computed inside a database: the row count and an order-independent sum (modulo 2^64) of per-row hashes over
 * (tid, modified millis, jdp_hashcode) — the per-row hash is the first 8 bytes of
 * {@code MD5("<tid>:<modified millis>:<jdp_hashcode>")}, identical on PostgreSQL, MariaDB and H2. Equal digests on
 * both sides mean equal ranges (up to hash collisions); differing ones are bisected.
 *
 * <p>Digests cover live rows only: deleted rows (source {@code deleted}, target {@code jdp_delete}) are left out on
 * both sides, since the target purges them while the source keeps them. Keys ({@code keys}, {@code keysModified})
 * include deleted rows, so a deletion the target has not had yet is still seen: the live row on one side makes the
 * digests differ.
 */
public record RangeDigest(long tidFrom, long tidTo, long count, long hash) {
}

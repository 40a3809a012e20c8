package io.topaz.agent.sync;

import java.time.Instant;
import java.util.Objects;

/**
 * One order as the platform's order database holds it ({@code tb_trade}) and as it is copied to a target
 * ({@code jdp_tb_trade}). {@code modified} has millisecond precision on both sides; an order is deleted logically at
 * the source ({@code deleted}, with {@code modified} bumped).
 *
 * @param bucket   the seller's bucket, {@code SellerGroup.bucketOf(Long.toString(sellerId))}
 * @param document the full order document (sub-orders, addresses) as JSON text, exactly as the source stores it
 */
public record OrderRow(long tid, long sellerId, String sellerNick, String buyerNick, String status, String type,
                       Instant created, Instant modified, boolean deleted, int bucket, String document) {

    public OrderRow {
        Objects.requireNonNull(sellerNick, "sellerNick");
        Objects.requireNonNull(modified, "modified");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(document, "document");
    }

    /** What a target row is compared by. */
    public OrderKey key() {
        return new OrderKey(tid, modified.toEpochMilli(), JdpResponse.hashcode(document), deleted);
    }
}

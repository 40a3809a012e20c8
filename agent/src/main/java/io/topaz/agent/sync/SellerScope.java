package io.topaz.agent.sync;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whose orders a seller group's queries see, on both sides: the source filters by {@code seller_id}, the target by
 * {@code seller_nick} ({@code jdp_tb_trade} has no seller id).
 *
 * <ul>
 *   <li>{@code buckets} — the range group's bucket range, or null for a pin group (its sellers are listed);</li>
 *   <li>{@code sellers} — the sellers included (TOP user id → nick): the group's sellers who permitted the target's
 *       app. {@code null} means every seller of {@code buckets} (benchmarks and operator checks of a whole range);
 *       an empty map means nobody, and the queries do not even reach the database;</li>
 *   <li>{@code excluded} — sellers left out (id → nick): those pinned in another group. Only applied when
 *       {@code sellers} is null: an explicit list already leaves them out.</li>
 * </ul>
 *
 * A list longer than {@link #CHUNK} is queried {@link #CHUNK} sellers per statement and the answers combined (keys
 * merged by tid, digests added — a digest's count and its hash sum modulo 2^64 are both additive over disjoint
 * seller sets, so a bisection sees the same digests whatever the chunking); each chunk is one more scan of the range.
 */
public record SellerScope(BucketRange buckets, Map<Long, String> sellers, Map<Long, String> excluded) {

    /** The most sellers one statement lists ({@code IN (…)}); longer lists are split into several statements. */
    public static final int CHUNK = 1_000;

    public SellerScope {
        if (buckets == null && sellers == null) {
            throw new IllegalArgumentException("a scope needs a bucket range or a list of sellers");
        }
        sellers = sellers == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(sellers));
        excluded = excluded == null ? Map.of() : Map.copyOf(excluded);
    }

    /** Every seller of a bucket range (no permit or pin considered). */
    public static SellerScope all(BucketRange buckets) {
        return new SellerScope(buckets, null, Map.of());
    }

    /** These sellers only, within {@code buckets} when given (null: wherever their bucket is — a pin group). */
    public static SellerScope of(BucketRange buckets, Map<Long, String> sellers) {
        return new SellerScope(buckets, sellers, Map.of());
    }

    /** This one seller of the scope (a seller's backfill). */
    public SellerScope only(long sellerId, String nick) {
        return new SellerScope(buckets, Map.of(sellerId, nick), Map.of());
    }

    /** The same sellers over another (narrower) bucket range: an operator's reconciliation of part of a group. */
    public SellerScope within(BucketRange range) {
        return new SellerScope(range, sellers, excluded);
    }

    /** Whether nobody is in scope (the queries answer without asking the database). */
    public boolean empty() {
        return sellers != null && sellers.isEmpty();
    }

    /** Whether this seller's orders are in scope. */
    public boolean covers(long sellerId, int bucket) {
        if (buckets != null && !buckets.contains(bucket)) {
            return false;
        }
        return sellers == null ? !excluded.containsKey(sellerId) : sellers.containsKey(sellerId);
    }

    /** Whether this row is in scope. */
    public boolean covers(OrderRow row) {
        return covers(row.sellerId(), row.bucket());
    }

    /**
     * The statements' seller lists: one scope per {@link #CHUNK} included sellers (a single one when {@code sellers}
     * is null or short, none when it is empty).
     */
    public List<SellerScope> chunks() {
        if (sellers == null || sellers.size() <= CHUNK) {
            return empty() ? List.of() : List.of(this);
        }
        List<SellerScope> out = new ArrayList<>();
        Map<Long, String> chunk = new LinkedHashMap<>();
        for (Map.Entry<Long, String> e : sellers.entrySet()) {
            chunk.put(e.getKey(), e.getValue());
            if (chunk.size() == CHUNK) {
                out.add(new SellerScope(buckets, chunk, Map.of()));
                chunk = new LinkedHashMap<>();
            }
        }
        if (!chunk.isEmpty()) {
            out.add(new SellerScope(buckets, chunk, Map.of()));
        }
        return out;
    }

    @Override
    public String toString() {
        return "SellerScope[buckets=" + buckets + ", sellers=" + (sellers == null ? "all" : sellers.size())
                + ", excluded=" + excluded.size() + "]";
    }
}

package io.topaz.agent.sync.engine;

import io.topaz.agent.sync.BucketRange;
import io.topaz.agent.sync.SellerPermits;
import io.topaz.agent.sync.SellerScope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sellers of one {@link GroupSync}: the group's sellers who permitted the target's app, kept as the
 * {@link SellerScope} every read and write of the group is limited to. The engine offers a new list at any time
 * ({@link #offer}); the group's worker takes it at its next tick ({@link #take}): a seller who joins is backfilled
 * alone ({@link SellerBackfills}), one who leaves is no longer synced (rows already copied stay). Once no seller is
 * waiting for its copy, the group's state records the newest permit seen, so that a new holder backfills only the
 * sellers permitted since (and a little before, {@link #PERMIT_SLACK_MILLIS}). Used by the group's worker only,
 * except {@link #offer} and {@link #scope} (volatile).
 */
final class GroupSellers {

    private static final Logger log = LoggerFactory.getLogger(GroupSellers.class);
    /** A new holder also backfills sellers permitted a little before its group's mark (clocks, commit order). */
    private static final long PERMIT_SLACK_MILLIS = 60_000;

    private final String name;
    private final BucketRange buckets;
    private final Clock clock;
    private final SellerBackfills backfills;
    /** The group's state, as the group's {@link Backfill} keeps it (the lease's node). */
    private final Backfill.Store store;
    private volatile SellerScope scope;
    private Map<Long, Long> permittedAt = Map.of();
    private volatile List<SellerPermits.Seller> offered;

    /**
     * Takes the sellers a new holder starts with: while the group's own backfill is pending (it copies all of them),
     * records the newest permit as seen; otherwise queues the backfills of those permitted since the group's mark.
     *
     * @param buckets the range group's bucket range, or null for a pin group
     * @param sellers the group's sellers who permitted the target's app now
     */
    GroupSellers(String name, BucketRange buckets, List<SellerPermits.Seller> sellers, Clock clock,
                 SellerBackfills backfills, Backfill.Store store) throws Exception {
        this.name = name;
        this.buckets = buckets;
        this.clock = clock;
        this.backfills = backfills;
        this.store = store;
        this.scope = SellerScope.of(buckets, Map.of());
        Map<Long, String> joined = apply(sellers);
        GroupState state = store.load();
        if (GroupState.PENDING.equals(state.backfill())) {
            store.save(state.withPermitsSeen(newestPermit() + 1)); // the group's backfill copies all of them
        } else {
            long seen = state.permitsSeenMillis() - PERMIT_SLACK_MILLIS;
            joined.keySet().removeIf(id -> permittedAt.get(id) < seen);
            backfills.add(joined); // permitted while no holder ran (or whose copy a lost holder left unfinished)
        }
    }

    /** The sellers synced now. */
    SellerScope scope() {
        return scope;
    }

    /** Sellers waiting for their own backfill (they joined a running group). */
    int backfilling() {
        return backfills.pending();
    }

    /** The group's sellers who permitted the target's app now; taken at the next tick. */
    void offer(List<SellerPermits.Seller> sellers) {
        offered = List.copyOf(sellers);
    }

    /** Takes the sellers the engine offered since the last tick; queues the backfills of those who joined. */
    void take() throws Exception {
        List<SellerPermits.Seller> next = offered;
        if (next == null) {
            return;
        }
        offered = null;
        Map<Long, String> joined = apply(next);
        if (!joined.isEmpty() && !GroupState.PENDING.equals(store.load().backfill())) {
            log.info("sync {}: {} seller(s) joined (permitted the app); backfilling them", name, joined.size());
            backfills.add(joined);
        }
    }

    /** One page of a joined seller's backfill once the group's is done; notes when every seller is copied. */
    void backfill() throws Exception {
        if (!backfills.idle()) {
            backfills.step(scope, clock.millis());
            return;
        }
        long seen = newestPermit() + 1;
        GroupState state = store.load();
        if (state.permitsSeen() == null || seen > state.permitsSeen()) {
            store.save(state.withPermitsSeen(seen));
        }
    }

    /** Takes a new seller list: returns the sellers who joined (id → nick). */
    private Map<Long, String> apply(List<SellerPermits.Seller> sellers) {
        Map<Long, String> nicks = new LinkedHashMap<>();
        Map<Long, Long> at = new HashMap<>();
        for (SellerPermits.Seller s : sellers) {
            nicks.put(s.userId(), s.nick());
            at.put(s.userId(), s.permittedAtMillis());
        }
        Map<Long, String> joined = new LinkedHashMap<>(nicks);
        joined.keySet().removeAll(scope.sellers().keySet());
        int left = 0;
        for (Long id : scope.sellers().keySet()) {
            if (!nicks.containsKey(id)) {
                left++;
            }
        }
        scope = SellerScope.of(buckets, nicks);
        permittedAt = at;
        backfills.retain(nicks.keySet());
        if (left > 0) {
            log.info("sync {}: {} seller(s) left the group (permit cancelled or seller moved); their rows already "
                    + "copied stay", name, left);
        }
        return joined;
    }

    private long newestPermit() {
        long newest = 0;
        for (long at : permittedAt.values()) {
            newest = Math.max(newest, at);
        }
        return newest;
    }
}

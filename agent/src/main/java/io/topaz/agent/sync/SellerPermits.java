package io.topaz.agent.sync;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Who permitted an app ({@code taobao.tmc.user.permit}, any topics): the sellers a sync target of that app copies, as
 * TOP's JDP copies only the sellers who authorized the app. Kept in the control plane's database and read by the
 * syncing agent: whole lists through the AGENT-role lookup
 * {@code GET /api/v1/metadata/tmc/apps/{appKey}/permits/sellers} (in pages), one seller's permits through the
 * message service's metadata ({@code TMC_USER}) when an event says they changed.
 */
public interface SellerPermits {

    /**
     * A seller who permitted the app.
     *
     * @param permittedAtMillis when the permit was given (a new permit after a cancel is a new time): a holder that
     *                          starts backfills the sellers permitted since its group last caught up
     */
    record Seller(long userId, String nick, long permittedAtMillis) {
    }

    /**
     * One seller's permits as a lookup found them.
     *
     * @param version the seller's metadata version the answer was read at (0: unknown seller); an answer older than
     *                the event that asked for it is out of date
     * @param byApp   the apps the seller permits, each with the seller as that app's list holds it
     */
    record UserPermits(long version, Map<String, Seller> byApp) {

        public UserPermits {
            byApp = Map.copyOf(byApp);
        }
    }

    /** Told when permits change. */
    interface Listener {

        /**
         * One seller's permits changed (a {@code TMC_USER} metadata event names the seller).
         *
         * @param version the change's metadata version: a lookup answered older than it is out of date
         */
        void seller(long userId, long version);

        /** Any seller's permits may have changed (events were missed). */
        void all();
    }

    /** Every seller who permitted {@code appKey}, by user id; fails when the control plane cannot be reached. */
    CompletableFuture<List<Seller>> sellers(String appKey);

    /**
     * The apps {@code userId} permits now, each with the seller as that app's list holds it (none, or no such seller:
     * empty), with the version they were read at; fails when it cannot be known.
     */
    CompletableFuture<UserPermits> permitsOf(long userId);

    void onChange(Listener listener);
}

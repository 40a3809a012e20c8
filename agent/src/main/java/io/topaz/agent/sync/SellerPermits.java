package io.topaz.agent.sync;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Who permitted an app ({@code taobao.tmc.user.permit}, any topics): the sellers a sync target of that app copies, as
 * TOP's JDP copies only the sellers who authorized the app. Kept in the control plane's database and read by the
 * syncing agent through the AGENT-role lookup {@code GET /api/v1/metadata/tmc/apps/{appKey}/permits/sellers}.
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

    /** The sellers who permitted {@code appKey}; fails when the control plane cannot be reached. */
    CompletableFuture<List<Seller>> sellers(String appKey);

    /** Calls {@code listener} when permits may have changed (a {@code TMC_USER} metadata event, or missed events). */
    void onChange(Runnable listener);
}

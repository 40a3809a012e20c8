package io.topaz.agent.traffic;

import java.util.function.IntSupplier;

/** An agent's share of a limit that holds for its whole cluster: the limit over the live agents, rounded up. */
final class Share {

    private Share() {
    }

    static long of(long limit, IntSupplier members) {
        int n = Math.max(1, members.getAsInt());
        return Math.max(1, (limit + n - 1) / n);
    }
}

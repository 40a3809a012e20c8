package io.topaz.agent.sync.engine;

/**
 * What a (target, seller group) keeps durably in ZooKeeper next to its lease, so a restarted or new holder resumes:
 * the backfill's progress and how far incremental reconciliation has compared.
 *
 * @param backfill       {@code pending}, {@code running} or {@code done}
 * @param sinceMillis    the backfill copies rows modified at or after this (set when it starts)
 * @param afterTid       the backfill has copied every row up to this tid
 * @param copied         rows copied so far
 * @param reconciledTo   incremental reconciliation has compared everything modified before this; 0 before the first
 * @param handedOverAt   when the previous holder handed the group over (stopped consuming, flushed, confirmed and
 *                       recorded this) — epoch millis, 0 when it did not (a first start, or a holder that died): the
 *                       next holder reconciles the seam {@code [reconciledTo - overlap, now)} first
 * @param handedOverBy   the agent that handed it over, or null
 * @param permitsSeen    every seller whose permit of the target's app was given before this (the control plane's
 *                       time, epoch millis) has been copied; a new holder backfills the sellers permitted since
 *                       (null in a state written before permits counted, when every seller was copied: none is
 *                       backfilled)
 */
record GroupState(String backfill, long sinceMillis, long afterTid, long copied, long reconciledTo, long handedOverAt,
                  String handedOverBy, Long permitsSeen) {

    static final String PENDING = "pending";
    static final String RUNNING = "running";
    static final String DONE = "done";

    GroupState(String backfill, long sinceMillis, long afterTid, long copied, long reconciledTo) {
        this(backfill, sinceMillis, afterTid, copied, reconciledTo, 0, null, 0L);
    }

    static GroupState initial() {
        return new GroupState(PENDING, 0, 0, 0, 0, 0, null, 0L);
    }

    GroupState withBackfill(String state, long since, long after, long n) {
        return new GroupState(state, since, after, n, reconciledTo, handedOverAt, handedOverBy, permitsSeen);
    }

    GroupState withReconciledTo(long millis) {
        return new GroupState(backfill, sinceMillis, afterTid, copied, millis, handedOverAt, handedOverBy, permitsSeen);
    }

    /** Recorded by a holder handing the group over at {@code millis}. */
    GroupState handedOver(long millis, String by) {
        return new GroupState(backfill, sinceMillis, afterTid, copied, reconciledTo, millis, by, permitsSeen);
    }

    /** When the sellers were last all copied: permits given before {@link #permitsSeen} need no backfill. */
    long permitsSeenMillis() {
        return permitsSeen == null ? Long.MAX_VALUE : permitsSeen;
    }

    GroupState withPermitsSeen(long millis) {
        return new GroupState(backfill, sinceMillis, afterTid, copied, reconciledTo, handedOverAt, handedOverBy, millis);
    }
}

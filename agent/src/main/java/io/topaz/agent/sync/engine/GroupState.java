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
 */
record GroupState(String backfill, long sinceMillis, long afterTid, long copied, long reconciledTo, long handedOverAt,
                  String handedOverBy) {

    static final String PENDING = "pending";
    static final String RUNNING = "running";
    static final String DONE = "done";

    GroupState(String backfill, long sinceMillis, long afterTid, long copied, long reconciledTo) {
        this(backfill, sinceMillis, afterTid, copied, reconciledTo, 0, null);
    }

    static GroupState initial() {
        return new GroupState(PENDING, 0, 0, 0, 0);
    }

    GroupState withBackfill(String state, long since, long after, long n) {
        return new GroupState(state, since, after, n, reconciledTo, handedOverAt, handedOverBy);
    }

    GroupState withReconciledTo(long millis) {
        return new GroupState(backfill, sinceMillis, afterTid, copied, millis, handedOverAt, handedOverBy);
    }

    /** Recorded by a holder handing the group over at {@code millis}. */
    GroupState handedOver(long millis, String by) {
        return new GroupState(backfill, sinceMillis, afterTid, copied, reconciledTo, millis, by);
    }
}

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
 */
record GroupState(String backfill, long sinceMillis, long afterTid, long copied, long reconciledTo) {

    static final String PENDING = "pending";
    static final String RUNNING = "running";
    static final String DONE = "done";

    static GroupState initial() {
        return new GroupState(PENDING, 0, 0, 0, 0);
    }

    GroupState withBackfill(String state, long since, long after, long n) {
        return new GroupState(state, since, after, n, reconciledTo);
    }

    GroupState withReconciledTo(long millis) {
        return new GroupState(backfill, sinceMillis, afterTid, copied, millis);
    }
}

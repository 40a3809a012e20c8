package io.topaz.model.release;

import java.time.Duration;

/**
 * How long a publish may take on the control plane, shared with its clients so that a client never gives up on a
 * publish the server is still working on: a client's timeout for publish and rollback must exceed
 * {@link #SERVER_MAX} (the console checks this when its client is built).
 */
public final class PublishTimings {

    /** How long a publish or rollback waits for the cluster-wide publish lock before answering 503. */
    public static final Duration LOCK_WAIT = Duration.ofSeconds(30);

    /** The longest a publish takes once it holds the lock (read the draft, write blobs, one transaction), with room. */
    public static final Duration WORK_BUDGET = Duration.ofSeconds(15);

    /** The longest the server may take to answer a publish or rollback. */
    public static final Duration SERVER_MAX = LOCK_WAIT.plus(WORK_BUDGET);

    private PublishTimings() {
    }
}

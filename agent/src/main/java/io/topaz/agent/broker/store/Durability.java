package io.topaz.agent.broker.store;

/** What "written" means for a store: the promise an append's future completes with. */
public enum Durability {
    /** Each append is forced to disk before its future completes. */
    SYNC_EACH,
    /** Appends are forced together every few milliseconds; each future completes once its record is on disk. */
    GROUP_COMMIT,
    /** The future completes when the record is in the page cache; the OS writes it back when it likes. */
    OS
}

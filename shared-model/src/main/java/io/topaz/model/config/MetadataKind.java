package io.topaz.model.config;

/**
 * The kinds of metadata agents read through their multi-tier cache and learn changes of through metadata events.
 * {@link #TMC_USER} and {@link #TMC_GROUPS} are the message service's data (a seller's permits and group
 * memberships, keyed by user id; an app's consumer groups, keyed by app key): they have no Bloom filter, since a
 * seller without permits and an app without groups are normal answers, not misses worth filtering.
 */
public enum MetadataKind {
    APP,
    SESSION,
    /** A seller's message-service permits, by user id ({@link io.topaz.model.metadata.TmcUser}). */
    TMC_USER,
    /** An app's consumer groups, by app key ({@link io.topaz.model.metadata.TmcGroups}). */
    TMC_GROUPS;

    /** Whether agents keep a Bloom filter of this kind's existing keys. */
    public boolean filtered() {
        return this == APP || this == SESSION;
    }
}

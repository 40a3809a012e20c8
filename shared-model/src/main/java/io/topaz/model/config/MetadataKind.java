package io.topaz.model.config;

/**
 * The kinds of metadata agents read through their multi-tier cache and learn changes of through metadata events.
 * {@link #TMC_USER} and {@link #TMC_GROUPS} are the message service's data (a seller's permits and group
 * memberships, keyed by user id; an app's consumer groups, keyed by app key): they have no Bloom filter, since a
 * seller without permits and an app without groups are normal answers, not misses worth filtering.
 * {@link #SYNC_TARGET} only names the events of a sync target's password changing.
 */
public enum MetadataKind {
    APP,
    SESSION,
    /** A seller's message-service permits, by user id ({@link io.topaz.model.metadata.TmcUser}). */
    TMC_USER,
    /** An app's consumer groups, by app key ({@link io.topaz.model.metadata.TmcGroups}). */
    TMC_GROUPS,
    /**
     * An order-sync target's password, by target name: not cached through the tiers (no cache rule applies); its
     * events only tell the syncing agents to read the password again.
     */
    SYNC_TARGET;

    /** Whether agents keep a Bloom filter of this kind's existing keys. */
    public boolean filtered() {
        return this == APP || this == SESSION;
    }

    /** Whether agents read this kind through their tiered cache, so that a cache rule may configure it. */
    public boolean cached() {
        return this != SYNC_TARGET;
    }
}

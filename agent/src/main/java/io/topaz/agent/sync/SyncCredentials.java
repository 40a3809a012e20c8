package io.topaz.agent.sync;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The target passwords, kept encrypted in the control plane's database and read by the syncing agent through the
 * AGENT-role lookup ({@code GET /api/v1/metadata/sync-targets/{name}/password}). Never logged.
 */
public interface SyncCredentials {

    /** The target's password (empty when none is set); fails when the control plane cannot be reached. */
    CompletableFuture<String> password(String target);

    /**
     * Calls {@code listener} with a target's name when its password may have changed (set, changed or removed), or
     * with null when any may have (missed events). None by default: the password never changes.
     */
    default void onChange(Consumer<String> listener) {
    }
}

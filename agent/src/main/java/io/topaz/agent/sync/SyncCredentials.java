package io.topaz.agent.sync;

import java.util.concurrent.CompletableFuture;

/**
 * The target passwords, kept encrypted in the control plane's database and read by the syncing agent through the
 * AGENT-role lookup ({@code GET /api/v1/metadata/sync-targets/{name}/password}). Never logged.
 */
public interface SyncCredentials {

    /** The target's password (empty when none is set); fails when the control plane cannot be reached. */
    CompletableFuture<String> password(String target);
}

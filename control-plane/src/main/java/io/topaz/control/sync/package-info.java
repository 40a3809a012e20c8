/**
 * Order sync (issue 18) as the control plane sees it: each live agent's {@code GET /sync} (on its admin port) gathered
 * into {@code GET /api/v1/sync/status}, and {@code POST /api/v1/sync/reconcile} forwarded to the agent holding the
 * group's lease. Sync targets are config ({@code /api/v1/sync-targets}); their passwords are metadata
 * ({@link io.topaz.control.metadata.SyncTargetPasswords}).
 */
package io.topaz.control.sync;

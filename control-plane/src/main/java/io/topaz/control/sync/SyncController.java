package io.topaz.control.sync;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.topaz.control.web.JsonBodies;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/sync}: the order sync over the fleet ({@link SyncStatusService}). */
@RestController
class SyncController {

    private final SyncStatusService sync;

    SyncController(SyncStatusService sync) {
        this.sync = sync;
    }

    @GetMapping("/api/v1/sync/status")
    @Operation(summary = "The order sync of every live agent, per (sync target, seller group)",
            description = "Asks every live agent's admin port for GET /sync at once. 'targets': the live release's sync "
                    + "targets and whether their passwords are set. 'groups': per (target, seller group), as the agent "
                    + "holding its lease reports it: holder and lease epoch, lag (source modified to target written) "
                    + "p50/p99 in ms, messages, source reads, mergeRatio (messages per order flushed after merging), readsSaved (orders flushed without a "
                    + "source read), readsSavedShare (1 - source reads / messages), writes, writes "
                    + "skipped by the modified/hashcode comparison, reconciliation repairs by reason (missed_message, "
                    + "lost_write, late_message), backfill state and rows copied, the last reconciliation, errors and "
                    + "the last error. 'notRunning': configured groups no agent reports. 'unreachable': agents that did "
                    + "not answer within topaz.broker.request-timeout (agents that run no sync answer 404 and are left "
                    + "out). Viewers.")
    SyncViews.SyncStatus status() throws Exception {
        return sync.status();
    }

    @PostMapping("/api/v1/sync/reconcile")
    @Operation(summary = "Runs a full reconciliation of a seller group (or one seller, or a time range of it)",
            description = "Body {\"target\", \"group\", \"seller\"?: seller id, \"from\"?, \"to\"?: ISO-8601 instants}. "
                    + "Forwarded to the agent holding the group's lease (POST /sync/reconcile on its admin port, same "
                    + "body); 409 when no agent holds it, 503 when the holder does not answer. Audited (kind "
                    + "sync-targets, key the target). Admins.")
    SyncViews.ReconcileResult reconcile(@io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                                                content = @Content(mediaType = "application/json",
                                                        schema = @Schema(implementation = SyncViews.ReconcileRequest.class)))
                                        @RequestBody(required = false) byte[] body, Authentication auth)
            throws Exception {
        SyncViews.ReconcileRequest req = JsonBodies.read(body, SyncViews.ReconcileRequest.class, "the reconciliation");
        return sync.reconcile(req, auth.getName());
    }
}

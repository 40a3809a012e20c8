package io.topaz.control.placement;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.topaz.control.web.JsonBodies;
import io.topaz.model.placement.GroupPlacement;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/placement}: which live agent syncs each seller group ({@link PlacementService}). */
@RestController
class PlacementController {

    private final PlacementService placement;

    PlacementController(PlacementService placement) {
        this.placement = placement;
    }

    @GetMapping("/api/v1/placement")
    @Operation(summary = "Which live syncing agent of its cluster syncs each seller group, and the agents' load",
            description = "'leader': the control plane that places groups (null when none leads). Per cluster of the "
                    + "live release: its zones and syncConnections budget; its live syncing agents with their zone, "
                    + "reported changesPerSecond and connections and how many groups are placed on them; its assigned "
                    + "groups with their bucket range or pinned sellers, placement (agent, zone, sinceMillis, reason: "
                    + "initial, failover, rebalance, operator or cluster-change, previousAgent, generation), whether "
                    + "the agent reports holding it, and the load its holder reports (changesPerSecond, lagP99Millis, "
                    + "connections, backlog, hotSellers); 'unplaced': groups no live agent of the cluster syncs. "
                    + "Viewers.")
    PlacementViews.Placement placement() throws Exception {
        return placement.view();
    }

    @PostMapping("/api/v1/placement/{group}/move")
    @Operation(summary = "Moves a seller group to another live syncing agent of its cluster now",
            description = "Body {\"agent\": \"agent-2\"}. The placer then leaves the group there for at least "
                    + "topaz.placement.min-stay (unless the agent goes). 404: no such group, or it is not assigned; "
                    + "400 (field agent): not a live syncing agent of the group's cluster — moving a group to another "
                    + "cluster is a config change (edit its assignment in the draft and publish); 409: the placement "
                    + "changed meanwhile. Audited (action PLACEMENT, kind placements, key the group). Operators.")
    GroupPlacement move(@PathVariable String group,
                        @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                                content = @Content(mediaType = "application/json",
                                        schema = @Schema(implementation = PlacementViews.MoveRequest.class)))
                        @RequestBody(required = false) byte[] body, Authentication auth) throws Exception {
        PlacementViews.MoveRequest req = JsonBodies.read(body, PlacementViews.MoveRequest.class, "the move");
        return placement.move(group, req, auth.getName());
    }
}

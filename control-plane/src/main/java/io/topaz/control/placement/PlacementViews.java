package io.topaz.control.placement;

import io.topaz.model.placement.SyncAgentLoad;

import java.util.List;

/** What {@code /api/v1/placement} answers (the console's Placement screen reads these names). */
final class PlacementViews {

    private PlacementViews() {
    }

    /**
     * @param leader the instance id of the control plane that leads (and places), null when none does
     */
    record Placement(String leader, List<ClusterView> clusters) {
    }

    /** A cluster of the live release, its live syncing agents, its assigned groups, and those no live agent syncs. */
    record ClusterView(String name, List<String> zones, int syncConnections, List<AgentLoadView> agents,
                       List<GroupView> groups, List<String> unplaced) {
    }

    /** A live syncing agent: its reported load and how many of the cluster's groups are placed on it. */
    record AgentLoadView(String id, String zone, double changesPerSecond, int connections, int groups) {
    }

    /**
     * An assigned seller group: its range or pinned sellers, its placement (agent null when it has none in this
     * cluster), whether that agent reports holding it, and the load its holder reports (zeros when none does).
     */
    record GroupView(String group, Integer bucketFrom, Integer bucketTo, List<Long> sellers, String agent, String zone,
                     Long sinceMillis, String reason, String previousAgent, Long generation, boolean holding,
                     double changesPerSecond, long lagP99Millis, int connections, long backlog,
                     List<SyncAgentLoad.SellerLoad> hotSellers) {
    }

    /** {@code POST /api/v1/placement/{group}/move}: the live syncing agent of the group's cluster to move it to. */
    record MoveRequest(String agent) {
    }
}

package io.topaz.console.placement;

import java.util.List;

/**
 * One node of the Placement tree: a cluster, one of its zones, an agent in that zone, a group placed on the agent, or
 * the cluster's unplaced groups (whose children are GROUP nodes of groups not {@link GroupRow#placed() placed}).
 *
 * @param cluster the cluster the node belongs to (every node has one)
 * @param agent   the agent for an agent node, else null
 * @param group   the group for a group or unplaced-group node, else null
 */
public record PlacementNode(Type type, String cluster, String title, String detail, String agent, GroupRow group,
                            List<PlacementNode> children) {

    /** What a node stands for. */
    public enum Type { CLUSTER, ZONE, AGENT, GROUP, UNPLACED }

    public PlacementNode {
        children = children == null ? List.of() : List.copyOf(children);
    }

    /** Identifies the node across refreshes (to keep it expanded or selected). */
    public String key() {
        return switch (type) {
            case CLUSTER -> "cluster:" + cluster;
            case ZONE -> "zone:" + cluster + "/" + title;
            case AGENT -> "agent:" + cluster + "/" + agent;
            case GROUP -> "group:" + group.key();
            case UNPLACED -> "unplaced:" + cluster;
        };
    }
}

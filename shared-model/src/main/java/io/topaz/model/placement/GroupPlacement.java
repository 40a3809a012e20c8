package io.topaz.model.placement;

/**
 * Which live agent syncs a seller group, as the control plane's leader decided; JSON in
 * {@code ZkLayout.syncPlacement(group)}. Agents read it: the named agent acquires the group's leases (per sync target)
 * and syncs; any other agent holding them finishes its in-flight batches, records its position and releases them (a
 * handover). The lease epoch, not this node, guarantees that two agents never write a group at once.
 *
 * @param group         the seller group
 * @param cluster       the agent cluster the group is assigned to (config), which {@code agent} belongs to
 * @param agent         the agent that should sync the group
 * @param sinceMillis   when this placement was decided (epoch millis)
 * @param previousAgent the agent that held it before ({@code null} for a first placement)
 * @param reason        why it was placed: {@link #INITIAL}, {@link #FAILOVER}, {@link #REBALANCE}, {@link #OPERATOR}
 *                      or {@link #CLUSTER_CHANGE}
 * @param generation    raised by one at each placement of this group, so watchers can tell moves apart
 */
public record GroupPlacement(String group, String cluster, String agent, long sinceMillis, String previousAgent,
                             String reason, long generation) {

    public static final String INITIAL = "initial";
    public static final String FAILOVER = "failover";
    public static final String REBALANCE = "rebalance";
    public static final String OPERATOR = "operator";
    public static final String CLUSTER_CHANGE = "cluster-change";

    /** The next placement of the same group on {@code to}. */
    public GroupPlacement moveTo(String toCluster, String to, long nowMillis, String why) {
        return new GroupPlacement(group, toCluster, to, nowMillis, agent, why, generation + 1);
    }
}

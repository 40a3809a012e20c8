package io.topaz.model.placement;

import java.util.List;
import java.util.Map;

/**
 * What a syncing agent reports of itself, as the data of its ephemeral node {@code ZkLayout.syncAgent(cluster, id)},
 * refreshed every few seconds: the control plane's leader balances placements with it, and the console shows it.
 *
 * @param agentId   the agent
 * @param zone      its zone label
 * @param cluster   its agent cluster
 * @param atMillis  when this report was made
 * @param groups    per seller group it holds (lease held now): its load
 */
public record SyncAgentLoad(String agentId, String zone, String cluster, long atMillis, Map<String, GroupLoad> groups) {

    public SyncAgentLoad {
        groups = groups == null ? Map.of() : Map.copyOf(groups);
    }

    /** The load of all groups: what the leader balances on (changes per second first, then connections). */
    public double changesPerSecond() {
        return groups.values().stream().mapToDouble(GroupLoad::changesPerSecond).sum();
    }

    public int connections() {
        return groups.values().stream().mapToInt(GroupLoad::connections).sum();
    }

    /**
     * One group's load on its agent.
     *
     * @param changesPerSecond order changes (trade messages) consumed per second, over the last minute
     * @param lagP99Millis     source {@code modified} → target written, p99 over the last minute
     * @param connections      target connections the group's pools hold now (all targets)
     * @param backlog          messages waiting in the group's sync queues
     * @param hotSellers       the busiest sellers of the group (at most 10), busiest first
     */
    public record GroupLoad(double changesPerSecond, long lagP99Millis, int connections, long backlog,
                            List<SellerLoad> hotSellers) {

        public GroupLoad {
            hotSellers = hotSellers == null ? List.of() : List.copyOf(hotSellers);
        }
    }

    /** One seller's share of a group's load: what tells an SRE which seller to pin into a group of its own. */
    public record SellerLoad(long sellerId, String nick, double changesPerSecond) {
    }
}

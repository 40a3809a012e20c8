package io.topaz.console.controlplane;

import java.util.List;

/**
 * Where the control plane's leader placed each seller group ({@code GET /api/v1/placement}): per agent cluster its
 * live agents with their load, its placed groups with the load their agent reports, and the groups it could not place.
 *
 * @param leader the control plane instance that places groups now
 */
public record Placement(String leader, List<Cluster> clusters) {

    public Placement {
        clusters = clusters == null ? List.of() : List.copyOf(clusters);
    }

    /**
     * @param unplaced groups assigned to the cluster that no live agent of it holds a placement for
     */
    public record Cluster(String name, List<String> zones, Integer syncConnections, List<Agent> agents,
                          List<Group> groups, List<String> unplaced) {
        public Cluster {
            zones = zones == null ? List.of() : List.copyOf(zones);
            agents = agents == null ? List.of() : List.copyOf(agents);
            groups = groups == null ? List.of() : List.copyOf(groups);
            unplaced = unplaced == null ? List.of() : List.copyOf(unplaced);
        }
    }

    /** A live agent of a cluster: its load summed over the groups it holds, and how many groups are placed on it. */
    public record Agent(String id, String zone, double changesPerSecond, int connections, int groups) {
    }

    /**
     * One placed seller group: its range or pinned sellers, the agent it is placed on and why, and the load that agent
     * reports for it. {@code holding} turns true once the agent reports holding the group (after a handover).
     *
     * @param lagP99Millis null while the agent has not reported the group
     */
    public record Group(String group, Integer bucketFrom, Integer bucketTo, List<Long> sellers, String agent,
                        String zone, long sinceMillis, String reason, String previousAgent, long generation,
                        boolean holding, double changesPerSecond, Long lagP99Millis, int connections, long backlog,
                        List<HotSeller> hotSellers) {
        public Group {
            sellers = sellers == null ? List.of() : List.copyOf(sellers);
            hotSellers = hotSellers == null ? List.of() : List.copyOf(hotSellers);
        }

        public boolean pinned() {
            return !sellers.isEmpty();
        }
    }

    /** One of a group's busiest sellers: a candidate for a pin group of its own. */
    public record HotSeller(long sellerId, String nick, double changesPerSecond) {
    }

    /** What {@code POST /api/v1/placement/{group}/move} answers: the group's new placement. */
    public record Moved(String group, String cluster, String agent, long sinceMillis, String previousAgent,
                        String reason, long generation) {
    }
}

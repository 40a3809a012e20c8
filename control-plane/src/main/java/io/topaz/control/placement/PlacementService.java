package io.topaz.control.placement;

import io.topaz.control.ha.Leadership;
import io.topaz.control.release.ReleaseService;
import io.topaz.control.web.ApiException;
import io.topaz.model.config.AgentCluster;
import io.topaz.model.config.Assignment;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.SellerGroup;
import io.topaz.model.placement.GroupPlacement;
import io.topaz.model.placement.SyncAgentLoad;
import io.topaz.model.validation.ConfigValidationException;
import io.topaz.model.validation.FieldError;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The placement of seller groups as operators see it, and their moves. Any control plane answers: it reads its own
 * {@link PlacementCaches}, and a move is a compare-and-set on the group's node (the leader's placer sees it and, the
 * group having just moved, leaves it there for at least {@code topaz.placement.min-stay}).
 */
public class PlacementService {

    private final ReleaseService releases;
    private final PlacementCaches caches;
    private final PlacementWriter writer;
    private final Leadership leadership;
    private final Clock clock;

    public PlacementService(ReleaseService releases, PlacementCaches caches, PlacementWriter writer,
                            Leadership leadership, Clock clock) {
        this.releases = releases;
        this.caches = caches;
        this.writer = writer;
        this.leadership = leadership;
        this.clock = clock;
    }

    PlacementViews.Placement view() throws Exception {
        ConfigSnapshot config = releases.liveContent();
        List<PlacementCaches.SyncAgent> agents = caches.syncAgents();
        Map<String, PlacementCaches.Placed> placed = caches.placements();
        List<PlacementViews.ClusterView> clusters = new ArrayList<>();
        for (AgentCluster c : config.items(ConfigKind.AGENT_CLUSTERS).values()) {
            List<PlacementCaches.SyncAgent> live = agents.stream().filter(a -> a.cluster().equals(c.name())).toList();
            List<PlacementViews.GroupView> groups = new ArrayList<>();
            List<String> unplaced = new ArrayList<>();
            for (Assignment a : config.items(ConfigKind.ASSIGNMENTS).values()) {
                SellerGroup g = config.items(ConfigKind.SELLER_GROUPS).get(a.sellerGroup());
                if (!a.cluster().equals(c.name()) || g == null) {
                    continue;
                }
                PlacementCaches.Placed p = placed.get(g.name());
                GroupPlacement gp = p != null && c.name().equals(p.placement().cluster()) ? p.placement() : null;
                PlacementCaches.SyncAgent on = gp == null ? null
                        : live.stream().filter(x -> x.id().equals(gp.agent())).findFirst().orElse(null);
                if (on == null) {
                    unplaced.add(g.name());
                }
                groups.add(groupView(g, gp, on, live));
            }
            List<PlacementViews.AgentLoadView> agentViews = live.stream().map(x -> new PlacementViews.AgentLoadView(
                    x.id(), x.zone(), x.load() == null ? 0 : x.load().changesPerSecond(),
                    x.load() == null ? 0 : x.load().connections(),
                    (int) groups.stream().filter(gv -> x.id().equals(gv.agent())).count())).toList();
            clusters.add(new PlacementViews.ClusterView(c.name(), c.zones(), c.syncConnections(), agentViews, groups,
                    unplaced));
        }
        String leader = leadership.leader().map(Leadership.Instance::id).orElse(null);
        return new PlacementViews.Placement(leader, clusters);
    }

    private static PlacementViews.GroupView groupView(SellerGroup g, GroupPlacement p, PlacementCaches.SyncAgent on,
                                                      List<PlacementCaches.SyncAgent> live) {
        SyncAgentLoad.GroupLoad load = on == null ? null : reported(on, g.name());
        boolean holding = load != null;
        for (int i = 0; load == null && i < live.size(); i++) {
            load = reported(live.get(i), g.name()); // a handover under way: the agent still holding it reports it
        }
        return new PlacementViews.GroupView(g.name(), g.bucketFrom(), g.bucketTo(), g.sellers(),
                p == null ? null : p.agent(), on == null ? null : on.zone(), p == null ? null : p.sinceMillis(),
                p == null ? null : p.reason(), p == null ? null : p.previousAgent(), p == null ? null : p.generation(),
                holding, load == null ? 0 : load.changesPerSecond(), load == null ? 0 : load.lagP99Millis(),
                load == null ? 0 : load.connections(), load == null ? 0 : load.backlog(),
                load == null ? List.of() : load.hotSellers());
    }

    private static SyncAgentLoad.GroupLoad reported(PlacementCaches.SyncAgent a, String group) {
        return a.load() == null ? null : a.load().groups().get(group);
    }

    /** Moves {@code group} to {@code agent}, a live syncing agent of its cluster, now; audited as {@code actor}. */
    GroupPlacement move(String group, PlacementViews.MoveRequest req, String actor) throws Exception {
        ConfigSnapshot config = releases.liveContent();
        if (!config.items(ConfigKind.SELLER_GROUPS).containsKey(group)) {
            throw ApiException.notFound("no seller group '" + group + "' in the live release");
        }
        Assignment assignment = config.items(ConfigKind.ASSIGNMENTS).get(group);
        if (assignment == null) {
            throw ApiException.notFound("seller group '" + group + "' is not assigned to an agent cluster in the live "
                    + "release; assign it in the draft (assignments) and publish");
        }
        String cluster = assignment.cluster();
        String agent = req.agent() == null ? "" : req.agent().strip();
        if (agent.isEmpty()) {
            throw invalid(agent, "is required: the id of a live syncing agent of cluster '" + cluster + "'");
        }
        List<String> live = caches.syncAgents().stream().filter(a -> a.cluster().equals(cluster))
                .map(PlacementCaches.SyncAgent::id).toList();
        if (!live.contains(agent)) {
            if (config.items(ConfigKind.AGENT_CLUSTERS).containsKey(agent)) {
                throw invalid(agent, "names an agent cluster: moving a group to another cluster is a config change — "
                        + "set assignments['" + group + "'].cluster to '" + agent + "' in the draft and publish; this "
                        + "endpoint moves a group between the live agents of its cluster '" + cluster + "'");
            }
            throw invalid(agent, "must be a live syncing agent of cluster '" + cluster + "'; live now: "
                    + (live.isEmpty() ? "none" : String.join(", ", live)));
        }
        PlacementCaches.Placed current = writer.read(group).orElse(null);
        GroupPlacement p = current == null ? null : current.placement();
        if (p != null && agent.equals(p.agent()) && cluster.equals(p.cluster())) {
            return p; // already there: nothing to write
        }
        long now = clock.millis();
        GroupPlacement to = p == null ? new GroupPlacement(group, cluster, agent, now, null, GroupPlacement.OPERATOR, 1)
                : p.moveTo(cluster, agent, now, GroupPlacement.OPERATOR);
        if (!writer.write(to, current == null ? -1 : current.version(), actor)) {
            throw ApiException.conflict("the placement of seller group '" + group + "' changed meanwhile (a failover, "
                    + "a rebalance or another operator); read GET /api/v1/placement and retry");
        }
        writer.flushAudit();
        return to;
    }

    private static ConfigValidationException invalid(String agent, String rule) {
        return new ConfigValidationException("the move", List.of(new FieldError("agent", Objects.toString(agent), rule)));
    }
}

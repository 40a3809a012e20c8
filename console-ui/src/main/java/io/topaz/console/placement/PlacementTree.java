package io.topaz.console.placement;

import io.topaz.console.controlplane.Placement;

import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the control plane's placement into the screen's tree: clusters (by name) → zones (the cluster's own, in its
 * order, then any other zone an agent reports) → agents (by id) → the groups placed on them (by name), and under each
 * cluster its unplaced groups. A group placed on an agent that is not among the live agents still shows, under that
 * agent marked not live, so nothing the leader placed is hidden.
 */
final class PlacementTree {

    private PlacementTree() {
    }

    static List<PlacementNode> of(Placement placement, Clock clock, ZoneId zone) {
        List<PlacementNode> clusters = new ArrayList<>();
        placement.clusters().stream().sorted(Comparator.comparing(Placement.Cluster::name))
                .forEach(c -> clusters.add(cluster(c, clock, zone)));
        return clusters;
    }

    private static PlacementNode cluster(Placement.Cluster c, Clock clock, ZoneId tz) {
        Map<String, Placement.Agent> agents = new LinkedHashMap<>();
        c.agents().stream().sorted(Comparator.comparing(Placement.Agent::id)).forEach(a -> agents.put(a.id(), a));
        Map<String, List<GroupRow>> byAgent = new LinkedHashMap<>();
        List<GroupRow> unplaced = new ArrayList<>();
        for (Placement.Group g : c.groups()) {
            GroupRow row = GroupRow.of(c.name(), g, clock, tz);
            if (row.placed()) {
                byAgent.computeIfAbsent(g.agent(), a -> new ArrayList<>()).add(row);
            } else {
                unplaced.add(GroupRow.unplaced(c.name(), g.group()));
            }
        }
        c.unplaced().forEach(name -> {
            if (unplaced.stream().noneMatch(r -> r.group().equals(name))) {
                unplaced.add(GroupRow.unplaced(c.name(), name));
            }
        });
        Set<String> zones = new LinkedHashSet<>(c.zones());
        agents.values().forEach(a -> zones.add(zoneOf(a.zone())));
        byAgent.forEach((agent, rows) -> {
            if (!agents.containsKey(agent)) {
                zones.add(zoneOf(rows.get(0).zone()));
            }
        });
        List<PlacementNode> zoneNodes = new ArrayList<>();
        for (String z : zones) {
            List<PlacementNode> agentNodes = new ArrayList<>();
            for (Placement.Agent a : agents.values()) {
                if (zoneOf(a.zone()).equals(z)) {
                    agentNodes.add(agent(c.name(), a.id(), String.format(java.util.Locale.ROOT,
                            "%d group%s · %s · %d conn", a.groups(), a.groups() == 1 ? "" : "s", GroupRow.rate(a.changesPerSecond()), a.connections()),
                            byAgent.getOrDefault(a.id(), List.of())));
                }
            }
            byAgent.forEach((agent, rows) -> {
                if (!agents.containsKey(agent) && zoneOf(rows.get(0).zone()).equals(z)) {
                    agentNodes.add(agent(c.name(), agent, "not live: its groups wait for the leader to move them",
                            rows));
                }
            });
            agentNodes.sort(Comparator.comparing(PlacementNode::agent));
            String detail = agentNodes.isEmpty() ? "no live agent"
                    : agentNodes.size() + (agentNodes.size() == 1 ? " agent" : " agents")
                    + (c.zones().contains(z) ? "" : " · a zone the cluster does not list");
            zoneNodes.add(new PlacementNode(PlacementNode.Type.ZONE, c.name(), z, detail, null, null, agentNodes));
        }
        List<PlacementNode> children = new ArrayList<>(zoneNodes);
        if (!unplaced.isEmpty()) {
            unplaced.sort(Comparator.comparing(GroupRow::group));
            children.add(new PlacementNode(PlacementNode.Type.UNPLACED, c.name(), "Unplaced",
                    unplaced.size() + (unplaced.size() == 1 ? " group" : " groups") + " on no live agent", null, null,
                    unplaced.stream().map(PlacementTree::group).toList()));
        }
        long placed = c.groups().stream().filter(g -> g.agent() != null).count();
        String detail = String.join(", ", c.zones()) + " · " + agents.size() + (agents.size() == 1 ? " agent" : " agents")
                + " · " + placed + " placed" + (unplaced.isEmpty() ? "" : ", " + unplaced.size() + " unplaced")
                + (c.syncConnections() == null ? "" : " · " + c.syncConnections() + " sync connections per target");
        return new PlacementNode(PlacementNode.Type.CLUSTER, c.name(), c.name(), detail, null, null, children);
    }

    private static PlacementNode agent(String cluster, String id, String detail, List<GroupRow> rows) {
        List<PlacementNode> groups = rows.stream().sorted(Comparator.comparing(GroupRow::group))
                .map(PlacementTree::group).toList();
        return new PlacementNode(PlacementNode.Type.AGENT, cluster, id, detail, id, null, groups);
    }

    private static PlacementNode group(GroupRow row) {
        return new PlacementNode(PlacementNode.Type.GROUP, row.cluster(), row.group(), row.detail(), row.agent(), row,
                List.of());
    }

    private static String zoneOf(String zone) {
        return zone == null || zone.isBlank() ? "(no zone)" : zone;
    }
}

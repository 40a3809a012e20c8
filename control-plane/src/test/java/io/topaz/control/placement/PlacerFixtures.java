package io.topaz.control.placement;

import io.topaz.model.placement.GroupPlacement;
import io.topaz.model.placement.SyncAgentLoad;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Builds placer inputs for tests: clusters, agents with load reports, assignments and placements. */
final class PlacerFixtures {

    static final long T0 = 1_800_000_000_000L;
    static final PlacementProperties SETTINGS = PlacementProperties.defaults();

    final Map<String, List<String>> clusters = new LinkedHashMap<>();
    final Map<String, String> assignments = new TreeMap<>();
    final Map<String, Placer.LiveAgent> agents = new TreeMap<>();
    final Map<String, GroupPlacement> placements = new TreeMap<>();

    PlacerFixtures cluster(String name, String... zones) {
        clusters.put(name, List.of(zones));
        return this;
    }

    PlacerFixtures groups(String cluster, String... groups) {
        for (String g : groups) {
            assignments.put(g, cluster);
        }
        return this;
    }

    PlacerFixtures agent(String cluster, String id, String zone) {
        return agent(cluster, id, zone, T0 - 3_600_000L, null);
    }

    PlacerFixtures agent(String cluster, String id, String zone, long liveSince, Map<String, Double> groupChanges) {
        SyncAgentLoad load = null;
        if (groupChanges != null) {
            Map<String, SyncAgentLoad.GroupLoad> groups = new HashMap<>();
            groupChanges.forEach((g, cps) -> groups.put(g, new SyncAgentLoad.GroupLoad(cps, 100, 1, 0, List.of())));
            load = new SyncAgentLoad(id, zone, cluster, liveSince, groups);
        }
        agents.put(id, new Placer.LiveAgent(id, cluster, zone, liveSince, load));
        return this;
    }

    PlacerFixtures gone(String id) {
        agents.remove(id);
        return this;
    }

    PlacerFixtures placed(String group, String cluster, String agent, long since) {
        placements.put(group, new GroupPlacement(group, cluster, agent, since, null, GroupPlacement.INITIAL, 1));
        return this;
    }

    Placer.Input input() {
        return new Placer.Input(clusters, assignments, List.copyOf(agents.values()), placements);
    }

    Placer.Plan plan(long now) {
        return Placer.plan(input(), SETTINGS, now);
    }

    /** Plans and writes the moves into the placements, as the driver would. */
    Placer.Plan apply(long now) {
        return apply(SETTINGS, now);
    }

    Placer.Plan apply(PlacementProperties settings, long now) {
        Placer.Plan plan = Placer.plan(input(), settings, now);
        for (Placer.Move m : plan.moves()) {
            placements.put(m.to().group(), m.to());
        }
        return plan;
    }

    String agentOf(String group) {
        return placements.get(group).agent();
    }

    Map<String, Integer> countByAgent() {
        Map<String, Integer> out = new TreeMap<>();
        placements.values().forEach(p -> out.merge(p.agent(), 1, Integer::sum));
        return out;
    }

    Map<String, Integer> countByZone(String cluster) {
        Map<String, Integer> out = new TreeMap<>();
        placements.values().stream().filter(p -> p.cluster().equals(cluster) && agents.containsKey(p.agent()))
                .forEach(p -> out.merge(agents.get(p.agent()).zone(), 1, Integer::sum));
        return out;
    }
}

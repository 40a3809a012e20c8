package io.topaz.control.placement;

import io.topaz.model.placement.GroupPlacement;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.topaz.control.placement.PlacerFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The placer's invariants over random clusters, zones, agents, loads and placements: after a pass every group of a
 * cluster with a live agent is on a live agent of its cluster (the others unplaced); first placements spread the
 * groups over the zones; and with unchanged loads repeated passes settle instead of moving groups back and forth.
 */
class PlacerPropertiesTest {

    private static final long MINUTE = 60_000L;

    /** A random world: per cluster its zones; agents (cluster, zone, per group load); groups; some placements. */
    record World(int clusters, List<int[]> agents, List<Integer> groupCluster, List<double[]> groupLoad,
                 List<int[]> placements) {
    }

    @Provide
    Arbitrary<World> worlds() {
        Arbitrary<Integer> clusters = Arbitraries.integers().between(1, 3);
        return clusters.flatMap(nc -> Combinators.combine(
                Arbitraries.integers().between(0, 3 * nc - 1).flatMap(z -> Arbitraries.integers().between(0, 99))
                        .list().ofMaxSize(8).map(seeds -> {
                            List<int[]> agents = new ArrayList<>();
                            for (int seed : seeds) {
                                agents.add(new int[] {seed % nc, (seed / nc) % 3});
                            }
                            return agents;
                        }),
                Arbitraries.integers().between(0, nc - 1).list().ofMaxSize(16),
                Arbitraries.doubles().between(0, 200).ofScale(1).list().ofSize(16),
                Arbitraries.integers().between(0, 99).list().ofSize(16)
        ).as((agents, groupCluster, loads, placementSeeds) -> {
            List<double[]> groupLoad = new ArrayList<>();
            loads.forEach(l -> groupLoad.add(new double[] {l}));
            List<int[]> placements = new ArrayList<>();
            placementSeeds.forEach(p -> placements.add(new int[] {p}));
            return new World(nc, agents, groupCluster, groupLoad, placements);
        }));
    }

    /** Builds the fixtures: placement seed < 40 none, < 70 on an agent of the seed's choosing, else on a gone agent. */
    private static PlacerFixtures build(World w, boolean withPlacements) {
        PlacerFixtures f = new PlacerFixtures();
        for (int c = 0; c < w.clusters(); c++) {
            f.cluster("c" + c, "z0", "z1", "z2");
        }
        List<String> ids = new ArrayList<>();
        Map<String, Map<String, Double>> reports = new HashMap<>();
        for (int i = 0; i < w.agents().size(); i++) {
            ids.add("a" + i);
            reports.put("a" + i, new HashMap<>());
        }
        for (int g = 0; g < w.groupCluster().size(); g++) {
            String group = "g" + g;
            String cluster = "c" + w.groupCluster().get(g);
            f.groups(cluster, group);
            int seed = w.placements().get(g)[0];
            if (withPlacements && seed >= 40 && !ids.isEmpty()) {
                String agent = seed < 70 ? ids.get(seed % ids.size()) : "dead-" + seed;
                String agentCluster = seed < 70 ? "c" + w.agents().get(seed % ids.size())[0] : cluster;
                f.placed(group, agentCluster, agent, T0 - (seed % 10) * MINUTE);
                if (seed < 70) {
                    reports.get(agent).put(group, w.groupLoad().get(g)[0]);
                }
            }
        }
        for (int i = 0; i < w.agents().size(); i++) {
            int[] a = w.agents().get(i);
            f.agent("c" + a[0], "a" + i, "z" + a[1], T0 - 3_600_000L, reports.get("a" + i));
        }
        return f;
    }

    @Property(tries = 300)
    void afterAPassEveryGroupIsOnALiveAgentOfItsClusterOrUnplaced(@ForAll("worlds") World w) {
        PlacerFixtures f = build(w, true);
        Placer.Plan plan = f.apply(T0);
        f.assignments.forEach((group, cluster) -> {
            boolean anyLive = f.agents.values().stream().anyMatch(a -> a.cluster().equals(cluster));
            if (anyLive) {
                GroupPlacement p = f.placements.get(group);
                assertThat(p.cluster()).isEqualTo(cluster);
                assertThat(f.agents.get(p.agent())).isNotNull()
                        .satisfies(a -> assertThat(a.cluster()).isEqualTo(cluster));
            } else {
                assertThat(plan.unplaced().get(cluster)).contains(group);
            }
        });
        for (Placer.Move m : plan.moves()) {
            assertThat(m.to().generation()).isEqualTo(m.from() == null ? 1 : m.from().generation() + 1);
            assertThat(m.to().previousAgent()).isEqualTo(m.from() == null ? null : m.from().agent());
        }
    }

    @Property(tries = 300)
    void firstPlacementsSpreadEachClustersGroupsEvenlyOverItsLiveZones(@ForAll("worlds") World w) {
        PlacerFixtures f = build(w, false);
        f.apply(T0);
        for (String cluster : f.clusters.keySet()) {
            Map<String, Integer> byZone = new HashMap<>();
            f.agents.values().stream().filter(a -> a.cluster().equals(cluster)).forEach(a -> byZone.put(a.zone(), 0));
            f.placements.values().stream().filter(p -> p.cluster().equals(cluster))
                    .forEach(p -> byZone.merge(f.agents.get(p.agent()).zone(), 1, Integer::sum));
            if (!byZone.isEmpty()) {
                int max = byZone.values().stream().mapToInt(i -> i).max().orElseThrow();
                int min = byZone.values().stream().mapToInt(i -> i).min().orElseThrow();
                assertThat(max - min).as("zone counts %s of %s", byZone, cluster).isLessThanOrEqualTo(1);
            }
        }
    }

    @Property(tries = 200)
    void withUnchangedLoadsRepeatedPassesSettleAndNoGroupMovesWithinItsMinimumStay(@ForAll("worlds") World w) {
        PlacerFixtures f = build(w, true);
        Map<String, Long> lastMove = new HashMap<>();
        int passes = 400;
        int lastMovingPass = -1;
        for (int i = 0; i < passes; i++) {
            long now = T0 + i * MINUTE;
            Placer.Plan plan = f.apply(now);
            for (Placer.Move m : plan.moves()) {
                String g = m.to().group();
                if (m.to().reason().equals(GroupPlacement.REBALANCE)) {
                    assertThat(now - lastMove.getOrDefault(g, Long.MIN_VALUE / 2))
                            .as("%s moved again too soon", g).isGreaterThanOrEqualTo(5 * MINUTE);
                }
                lastMove.put(g, now);
                lastMovingPass = i;
            }
        }
        assertThat(lastMovingPass).as("rebalancing settles long before the last pass").isLessThan(passes - 50);
    }
}

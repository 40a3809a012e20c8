package io.topaz.control.placement;

import io.topaz.model.placement.GroupPlacement;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.topaz.control.placement.PlacerFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

/** The placer's rules, case by case (the properties over random inputs are in {@link PlacerPropertiesTest}). */
class PlacerTest {

    private static final long MINUTE = 60_000L;

    @Test
    void firstPlacementsSpreadTheGroupsOverTheZonesThenOverTheAgentsOfEachZone() {
        PlacerFixtures f = new PlacerFixtures().cluster("blue", "a", "b")
                .agent("blue", "a1", "a").agent("blue", "a2", "a").agent("blue", "b1", "b")
                .groups("blue", "g1", "g2", "g3", "g4", "g5", "g6");

        Placer.Plan plan = f.apply(T0);

        assertThat(plan.moves()).hasSize(6).allSatisfy(m -> {
            assertThat(m.from()).isNull();
            assertThat(m.to().reason()).isEqualTo(GroupPlacement.INITIAL);
            assertThat(m.to().generation()).isEqualTo(1);
            assertThat(m.to().cluster()).isEqualTo("blue");
            assertThat(m.to().sinceMillis()).isEqualTo(T0);
        });
        assertThat(f.countByZone("blue")).containsExactlyInAnyOrderEntriesOf(Map.of("a", 3, "b", 3));
        assertThat(f.countByAgent()).containsExactlyInAnyOrderEntriesOf(Map.of("a1", 2, "a2", 1, "b1", 3));
        assertThat(plan.unplaced()).isEmpty();
        assertThat(f.plan(T0 + 1).moves()).as("a second pass changes nothing").isEmpty();
    }

    @Test
    void aClusterStartingAgentByAgentGetsItsGroupsSpreadOnceItsAgentsSettleNotAllOnTheFirst() {
        PlacerFixtures f = new PlacerFixtures().cluster("blue", "a", "b")
                .agent("blue", "a1", "a", T0, null)
                .groups("blue", "g1", "g2", "g3", "g4");
        assertThat(f.apply(T0 + 1_000).moves()).as("the first agent just registered: nothing placed yet").isEmpty();
        f.agent("blue", "b1", "b", T0 + 3_000, null);
        assertThat(f.apply(T0 + 6_000).moves()).as("another agent came 3 s ago: still settling").isEmpty();

        Placer.Plan plan = f.apply(T0 + 8_000);

        assertThat(plan.moves()).hasSize(4);
        assertThat(f.countByAgent()).containsExactlyInAnyOrderEntriesOf(Map.of("a1", 2, "b1", 2));
        // a failover never waits: an agent gone while another just joined hands its groups over at once
        f.gone("a1").agent("blue", "b2", "b", T0 + 9_000, null);
        assertThat(f.apply(T0 + 9_500).moves()).hasSize(2)
                .allSatisfy(m -> assertThat(m.to().reason()).isEqualTo(GroupPlacement.FAILOVER));
    }

    @Test
    void aGroupNeverPlacedStaysOnTheAgentAlreadySyncingItByTheFallback() {
        PlacerFixtures f = new PlacerFixtures().cluster("blue", "a", "b")
                .agent("blue", "a1", "a", T0, Map.of("g1", 5.0, "g2", 3.0))
                .agent("blue", "b1", "b", T0, null)
                .groups("blue", "g1", "g2", "g3");

        Placer.Plan plan = f.apply(T0 + 10_000);

        assertThat(plan.moves()).hasSize(3);
        assertThat(f.agentOf("g1")).as("adopted: no handover for nothing").isEqualTo("a1");
        assertThat(f.agentOf("g2")).isEqualTo("a1");
        assertThat(f.agentOf("g3")).as("a group nobody syncs goes where the zones are emptiest").isEqualTo("b1");
    }

    @Test
    void theGroupsOfAVanishedAgentFailOverAtOnceWhateverTheMinimumStay() {
        PlacerFixtures f = new PlacerFixtures().cluster("blue", "a", "b")
                .agent("blue", "a1", "a").agent("blue", "a2", "a").agent("blue", "b1", "b")
                .groups("blue", "g1", "g2", "g3", "g4");
        f.apply(T0);
        String victim = f.agentOf("g1");
        long movedAt = T0 + 1_000; // well within the minimum stay
        f.gone(victim);

        Placer.Plan plan = f.apply(movedAt);

        assertThat(plan.moves()).isNotEmpty().allSatisfy(m -> {
            assertThat(m.from().agent()).isEqualTo(victim);
            assertThat(m.to().reason()).isEqualTo(GroupPlacement.FAILOVER);
            assertThat(m.to().previousAgent()).isEqualTo(victim);
            assertThat(m.to().generation()).isEqualTo(2);
            assertThat(m.to().agent()).isNotEqualTo(victim);
        });
        assertThat(f.placements.values()).allSatisfy(p -> assertThat(f.agents).containsKey(p.agent()));
    }

    @Test
    void whenAWholeZoneIsGoneItsGroupsGoToTheOtherZonesAndComeBackGradually() {
        PlacerFixtures f = new PlacerFixtures().cluster("blue", "a", "b")
                .agent("blue", "a1", "a").agent("blue", "b1", "b").agent("blue", "b2", "b")
                .groups("blue", "g1", "g2", "g3", "g4");
        f.apply(T0);
        assertThat(f.countByZone("blue")).containsEntry("a", 2).containsEntry("b", 2);

        f.gone("a1");
        f.apply(T0 + MINUTE);
        assertThat(f.countByZone("blue")).containsExactlyInAnyOrderEntriesOf(Map.of("b", 4));
        assertThat(f.countByAgent()).containsEntry("b1", 2).containsEntry("b2", 2);

        long back = T0 + 10 * MINUTE;
        f.agent("blue", "a1", "a", back, null);
        assertThat(f.plan(back).moves()).as("no work for an agent that has just come back").isEmpty();
        assertThat(f.plan(back + MINUTE - 1).moves()).isEmpty();
        Placer.Plan first = f.apply(back + MINUTE);
        assertThat(first.moves()).singleElement().satisfies(m -> {
            assertThat(m.to().agent()).isEqualTo("a1");
            assertThat(m.to().reason()).isEqualTo(GroupPlacement.REBALANCE);
        });
        assertThat(f.plan(back + MINUTE + 59_999).moves()).as("one move per cluster per interval").isEmpty();
        Placer.Plan second = f.apply(back + 2 * MINUTE);
        assertThat(second.moves()).singleElement().satisfies(m -> assertThat(m.to().agent()).isEqualTo("a1"));
        assertThat(f.countByAgent()).containsExactlyInAnyOrderEntriesOf(Map.of("a1", 2, "b1", 1, "b2", 1));
        assertThat(f.plan(back + 10 * MINUTE).moves()).as("balanced: stays").isEmpty();
    }

    @Test
    void aGroupAssignedToAnotherClusterMovesThereAtOnce() {
        PlacerFixtures f = new PlacerFixtures().cluster("blue", "a").cluster("green", "a")
                .agent("blue", "b1", "a").agent("green", "n1", "a")
                .groups("green", "g1").placed("g1", "blue", "b1", T0);

        Placer.Plan plan = f.apply(T0 + 1);

        assertThat(plan.moves()).singleElement().satisfies(m -> {
            assertThat(m.to().cluster()).isEqualTo("green");
            assertThat(m.to().agent()).isEqualTo("n1");
            assertThat(m.to().reason()).isEqualTo(GroupPlacement.CLUSTER_CHANGE);
            assertThat(m.to().previousAgent()).isEqualTo("b1");
        });
    }

    @Test
    void aClusterWithoutLiveAgentsKeepsItsPlacementsAndReportsItsGroupsUnplaced() {
        PlacerFixtures f = new PlacerFixtures().cluster("blue", "a").groups("blue", "g1", "g2")
                .placed("g1", "blue", "gone-agent", T0);

        Placer.Plan plan = f.plan(T0 + 1);

        assertThat(plan.moves()).isEmpty();
        assertThat(plan.unplaced()).containsExactlyEntriesOf(Map.of("blue", java.util.List.of("g1", "g2")));
        assertThat(plan.unplacedCount()).isEqualTo(2);
    }

    @Test
    void rebalancingMovesTheGroupNearestHalfTheDifferenceOnlyAfterTheIntervalAndMinimumStay() {
        PlacerFixtures f = new PlacerFixtures().cluster("blue", "a")
                .agent("blue", "a1", "a", T0 - 3_600_000, Map.of("g1", 100.0, "g2", 60.0, "g3", 5.0))
                .agent("blue", "a2", "a", T0 - 3_600_000, Map.of("g4", 10.0))
                .groups("blue", "g1", "g2", "g3", "g4")
                .placed("g1", "blue", "a1", T0).placed("g2", "blue", "a1", T0).placed("g3", "blue", "a1", T0)
                .placed("g4", "blue", "a2", T0);

        assertThat(f.plan(T0 + MINUTE).moves()).as("every group is within its minimum stay").isEmpty();
        Placer.Plan plan = f.apply(T0 + 5 * MINUTE);
        // a1 165, a2 10: the difference is 155; g2 (60) is nearest half of it
        assertThat(plan.moves()).singleElement().satisfies(m -> {
            assertThat(m.to().group()).isEqualTo("g2");
            assertThat(m.to().agent()).isEqualTo("a2");
            assertThat(m.to().reason()).isEqualTo(GroupPlacement.REBALANCE);
        });
        // a1 105, a2 70: 35 apart, over the threshold (25% of the 87.5 mean); g3 (5) narrows it: a1 100, a2 75.
        // Then 25 apart, still over, but a1 holds only g1 (100), which would not narrow it: it settles
        assertThat(f.apply(T0 + 11 * MINUTE).moves()).singleElement()
                .satisfies(m -> assertThat(m.to().group()).isEqualTo("g3"));
        for (int i = 12; i < 60; i++) {
            assertThat(f.plan(T0 + i * MINUTE).moves()).as("settled at minute %d", i).isEmpty();
        }
    }

    @Test
    void aSingleHotGroupIsNotShuffledAroundAndCountsDoNotOverrideLoad() {
        PlacerFixtures f = new PlacerFixtures().cluster("blue", "a")
                .agent("blue", "a1", "a", T0 - 3_600_000, Map.of("hot", 500.0))
                .agent("blue", "a2", "a", T0 - 3_600_000, Map.of("c1", 1.0, "c2", 1.0, "c3", 1.0, "c4", 1.0))
                .groups("blue", "hot", "c1", "c2", "c3", "c4").placed("hot", "blue", "a1", T0);
        for (String c : new String[] {"c1", "c2", "c3", "c4"}) {
            f.placed(c, "blue", "a2", T0);
        }

        assertThat(f.plan(T0 + 60 * MINUTE).moves()).isEmpty();
    }

    @Test
    void withoutLoadReportsTheGroupCountIsBalanced() {
        PlacerFixtures f = new PlacerFixtures().cluster("blue", "a").agent("blue", "a1", "a").agent("blue", "a2", "a")
                .groups("blue", "g1", "g2", "g3", "g4");
        for (String g : new String[] {"g1", "g2", "g3", "g4"}) {
            f.placed(g, "blue", "a1", T0);
        }

        f.apply(T0 + 10 * MINUTE);
        f.apply(T0 + 20 * MINUTE);
        assertThat(f.countByAgent()).containsExactlyInAnyOrderEntriesOf(Map.of("a1", 2, "a2", 2));
        assertThat(f.plan(T0 + 30 * MINUTE).moves()).isEmpty();
    }

    @Test
    void rebalancingNeverWorsensTheZoneSpread() {
        PlacerFixtures f = new PlacerFixtures().cluster("blue", "a", "b")
                .agent("blue", "a1", "a", T0 - 3_600_000, Map.of("g1", 100.0))
                .agent("blue", "a2", "a", T0 - 3_600_000, Map.of())
                .agent("blue", "b1", "b", T0 - 3_600_000, Map.of("g2", 100.0))
                .groups("blue", "g1", "g2").placed("g1", "blue", "a1", T0).placed("g2", "blue", "b1", T0);
        // a2 is idle, but moving either group there is pointless (each alone) — and g2 must not leave zone b
        assertThat(f.plan(T0 + 60 * MINUTE).moves()).isEmpty();
    }
}

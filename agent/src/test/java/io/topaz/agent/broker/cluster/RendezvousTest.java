package io.topaz.agent.broker.cluster;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RendezvousTest {

    @Test
    void spreadsKeysEvenlyAndMovesOnlyTheLeavingMembersKeys() {
        List<String> three = List.of("agent-1", "agent-2", "agent-3");
        List<String> two = List.of("agent-1", "agent-3");
        Map<String, Integer> counts = new HashMap<>();
        int moved = 0;
        for (int i = 0; i < 30_000; i++) {
            String key = "app" + i + "/default";
            String before = Rendezvous.owner(key, three);
            counts.merge(before, 1, Integer::sum);
            String after = Rendezvous.owner(key, two);
            if (!before.equals("agent-2")) {
                assertThat(after).as(key).isEqualTo(before);
            } else {
                moved++;
            }
            assertThat(Rendezvous.owner(key, List.of("agent-3", "agent-2", "agent-1"))).isEqualTo(before);
        }
        assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(9_000, 11_000));
        assertThat(moved).isEqualTo(counts.get("agent-2"));
        assertThat(Rendezvous.owner("x", List.of())).isNull();
    }
}

package io.topaz.agent.broker.cluster;

import io.topaz.agent.broker.BrokerMessage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HandoffChunksTest {

    @Test
    void largeMessagesAreSplitIntoBoundedRequestsInOrder() {
        String content = "{\"x\":\"" + "y".repeat(500_000) + "\"}";
        List<BrokerMessage> messages = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            messages.add(new BrokerMessage(i, "t", "p", 1, 1, "n", content, 0));
        }
        List<List<BrokerMessage>> chunks = ClusterBroker.chunks(messages);
        assertThat(chunks).hasSizeGreaterThan(1);
        assertThat(chunks.stream().flatMap(List::stream).toList()).containsExactlyElementsOf(messages);
        for (List<BrokerMessage> c : chunks) {
            long bytes = c.stream().mapToLong(m -> m.content().length() * 3L).sum();
            assertThat(bytes).isLessThanOrEqualTo(ClusterBroker.MAX_HANDOFF_BYTES);
        }
        assertThat(ClusterBroker.chunks(List.of())).isEmpty();
        assertThat(ClusterBroker.chunks(messages.subList(0, 1))).hasSize(1);
    }
}

package io.topaz.console.messages;

import io.topaz.console.controlplane.MessageQueues;
import io.topaz.console.controlplane.MessageQueues.AgentQueues;
import io.topaz.console.controlplane.MessageQueues.Queue;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class QueueRatesTest {

    private static Queue queue(String queue, long redelivered, long deadLettered) {
        String app = queue.substring(0, queue.indexOf('/'));
        return new Queue(queue, app, queue.substring(queue.indexOf('/') + 1), 0, 0, 0, 0, 0, redelivered, deadLettered, 0);
    }

    private static MessageQueues at(long atMillis, AgentQueues... agents) {
        return new MessageQueues(null, atMillis, List.of(), List.of(agents), List.of());
    }

    @Test
    void sumsEachQueuesGrowthPerAppOverTheSecondsBetweenAnswers() {
        QueueRates rates = new QueueRates();
        assertThat(rates.next(at(10_000, new AgentQueues("a", 1, List.of(queue("shop/default", 100, 10),
                queue("shop/vip", 50, 0)))))).as("nothing to compare yet").isEmpty();

        Map<String, QueueRates.Rates> r = rates.next(at(15_000,
                new AgentQueues("a", 1, List.of(queue("shop/default", 120, 15), queue("shop/vip", 60, 0))),
                new AgentQueues("b", 1, List.of(queue("shop/x", 900, 900)))));

        assertThat(rates.intervalSeconds()).isEqualTo(5.0);
        assertThat(r.get("shop").redeliveredPerSecond()).as("(20 + 10) / 5; agent b's queue is new: no spike")
                .isCloseTo(6.0, within(1e-9));
        assertThat(r.get("shop").deadLetteredPerSecond()).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void aRestartedAgentOrACounterGoingDownAddsNothingUntilTheNextAnswer() {
        QueueRates rates = new QueueRates();
        rates.next(at(0, new AgentQueues("a", 1, List.of(queue("shop/default", 100, 10))),
                new AgentQueues("b", 1, List.of(queue("shop/vip", 100, 10)))));

        Map<String, QueueRates.Rates> r = rates.next(at(2_000,
                new AgentQueues("a", 2, List.of(queue("shop/default", 4, 0))),
                new AgentQueues("b", 1, List.of(queue("shop/vip", 90, 12)))));

        assertThat(r.get("shop").redeliveredPerSecond()).isZero();
        assertThat(r.get("shop").deadLetteredPerSecond()).isZero();
        assertThat(rates.next(at(4_000, new AgentQueues("a", 2, List.of(queue("shop/default", 10, 2))),
                new AgentQueues("b", 1, List.of(queue("shop/vip", 90, 12))))).get("shop").redeliveredPerSecond())
                .isCloseTo(3.0, within(1e-9));
    }

    @Test
    void anAnswerTooSoonAfterThePreviousKeepsTheLastRates() {
        QueueRates rates = new QueueRates();
        rates.next(at(1_000, new AgentQueues("a", 1, List.of(queue("shop/default", 0, 0)))));
        Map<String, QueueRates.Rates> r = rates.next(at(3_000, new AgentQueues("a", 1, List.of(queue("shop/default", 10, 2)))));
        assertThat(r.get("shop").redeliveredPerSecond()).isCloseTo(5.0, within(1e-9));
        assertThat(rates.next(at(3_000, new AgentQueues("a", 1, List.of(queue("shop/default", 99, 99)))))).isEqualTo(r);
        assertThat(rates.next(at(4_999, new AgentQueues("a", 1, List.of(queue("shop/default", 99, 99)))))).isEqualTo(r);
        assertThat(rates.next(at(5_000, new AgentQueues("a", 1, List.of(queue("shop/default", 30, 2)))))
                .get("shop").redeliveredPerSecond()).as("measured from the answer at 3 s").isCloseTo(10.0, within(1e-9));
    }

    @Test
    void agesReadAsAnOperatorSaysThem() {
        assertThat(MessagesViewModel.age(0)).isEqualTo("—");
        assertThat(MessagesViewModel.age(45_900)).isEqualTo("45 s");
        assertThat(MessagesViewModel.age(12 * 60_000 + 5)).isEqualTo("12 min");
        assertThat(MessagesViewModel.age(3 * 3_600_000 + 5 * 60_000)).isEqualTo("3 h 5 min");
        assertThat(MessagesViewModel.age(2 * 86_400_000L + 4 * 3_600_000)).isEqualTo("2 d 4 h");
        assertThat(MessagesViewModel.age(86_400_000L)).isEqualTo("1 d");
    }
}

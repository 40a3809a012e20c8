package io.topaz.agent;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.topaz.agent.broker.BrokerMessage;
import io.topaz.agent.broker.Delivery;
import io.topaz.agent.broker.QueueName;
import io.topaz.agent.broker.queue.QueueEngine;
import io.topaz.agent.broker.store.Durability;
import io.topaz.agent.tmc.BacklogCaps;
import io.topaz.model.testing.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code --broker-*} flags, and what they make of the storage engine's redelivery. */
class BrokerSettingsTest {

    @TempDir
    Path dir;

    @Test
    void defaultsAreSixtySecondsSixteenAttemptsThreeDaysGroupCommitNoCap() {
        BrokerSettings b = AgentSettings.parse(List.of("--id=a"), Map.of(), null).broker();
        assertThat(b).isEqualTo(BrokerSettings.defaults());
        assertThat(b.redeliveryTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(b.maxAttempts()).isEqualTo(16);
        assertThat(b.retention()).isEqualTo(Duration.ofDays(3));
        assertThat(b.durability()).isEqualTo(Durability.GROUP_COMMIT);
        assertThat(b.platformBacklogCap()).isEqualTo(BacklogCaps.UNLIMITED);
        // at the reference timeout the scaled levels are RocketMQ's exactly
        assertThat(b.backoffLevels()).isEqualTo(QueueEngine.Options.ROCKETMQ_BACKOFF);
        QueueEngine.Options o = b.engineOptions();
        assertThat(o.redeliveryTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(o.maxAttempts()).isEqualTo(16);
        assertThat(o.retention()).isEqualTo(Duration.ofDays(3));
        assertThat(o.durability()).isEqualTo(Durability.GROUP_COMMIT);
    }

    @Test
    void flagsAndEnvironmentReachTheEngineOptions() {
        BrokerSettings b = AgentSettings.parse(List.of("--id=a", "--broker-redelivery-timeout=2s",
                "--broker-max-attempts=3", "--broker-retention=72h", "--broker-durability=sync-each"),
                Map.of("TOPAZ_BROKER_BACKLOG_CAP", "50000"), null).broker();
        assertThat(b.retention()).isEqualTo(Duration.ofDays(3));
        assertThat(b.platformBacklogCap()).isEqualTo(50_000);
        QueueEngine.Options o = b.engineOptions();
        assertThat(o.redeliveryTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(o.maxAttempts()).isEqualTo(3);
        assertThat(o.durability()).isEqualTo(Durability.SYNC_EACH);
        // scaled by 2 s / 60 s: 10 s → 333 ms, 2 h → 4 min
        assertThat(o.backoff().get(0)).isEqualTo(Duration.ofMillis(333));
        assertThat(o.backoff().get(o.backoff().size() - 1)).isEqualTo(Duration.ofMinutes(4));

        BrokerSettings explicit = AgentSettings.parse(List.of("--id=a", "--broker-backoff=5s, 1m,2h",
                "--broker-retention=7d", "--broker-durability=os"), Map.of(), null).broker();
        assertThat(explicit.backoffLevels()).containsExactly(Duration.ofSeconds(5), Duration.ofMinutes(1),
                Duration.ofHours(2));
        assertThat(explicit.retention()).isEqualTo(Duration.ofDays(7));
        assertThat(explicit.durability()).isEqualTo(Durability.OS);
    }

    @Test
    void badValuesNameTheFlagAndTheRule() {
        assertThatThrownBy(() -> parse("--broker-redelivery-timeout=500ms"))
                .hasMessageContaining("--broker-redelivery-timeout must be between 1s and 1d");
        assertThatThrownBy(() -> parse("--broker-max-attempts=0"))
                .hasMessageContaining("--broker-max-attempts must be between 1 and 255, was '0'");
        assertThatThrownBy(() -> parse("--broker-retention=forever"))
                .hasMessageContaining("--broker-retention must be a duration such as 500ms, 30s, 2m, 72h or 3d");
        assertThatThrownBy(() -> parse("--broker-durability=fsync"))
                .hasMessageContaining("--broker-durability must be group-commit, sync-each or os, was 'fsync'");
        assertThatThrownBy(() -> parse("--broker-backlog-cap=-1"))
                .hasMessageContaining("--broker-backlog-cap must be 0 (no cap)");
        assertThatThrownBy(() -> parse("--broker-backlog-cap=lots"))
                .hasMessageContaining("--broker-backlog-cap must be a number of messages");
        assertThatThrownBy(() -> parse("--broker-backoff=10s,,1m"))
                .hasMessageContaining("--broker-backoff must be a duration");
    }

    @Test
    void helpListsTheBrokerFlagsWithTheirDefaults() {
        assertThat(AgentMain.usage()).contains("--broker-redelivery-timeout", "TOPAZ_BROKER_REDELIVERY_TIMEOUT", "60s",
                "--broker-max-attempts", "--broker-retention", "3d", "--broker-durability", "group-commit",
                "--broker-backlog-cap", "--broker-backoff", "scaled");
    }

    /**
     * With a short timeout the first redelivery comes after the timeout, not after RocketMQ's first level (10 s):
     * the scaled levels are shorter than the timeout, so the timeout rules; later ones grow past it.
     */
    @Test
    void aShortTimeoutRedeliversAfterTheTimeoutThenBacksOff() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-06T06:00:00Z"));
        BrokerSettings b = BrokerSettings.defaults().withRedelivery(Duration.ofSeconds(2), 16);
        QueueName q = new QueueName("app1", "default");
        try (QueueEngine engine = QueueEngine.open(dir, b.engineOptions().withReclaimInterval(Duration.ofHours(1)),
                clock, new SimpleMeterRegistry(), app -> b.platformBacklogCap())) {
            engine.append(new BrokerMessage(7, "taobao_trade_TradeChanged", "producer", clock.millis(), 1, "n",
                    "{\"tid\":7}", 7), List.of(q)).get(10, TimeUnit.SECONDS);
            // deliveries 1 to 4 are each hidden max(2 s, level) with levels 0.33 s, 1 s, 2 s, 4 s
            long[] hidden = {2_000, 2_000, 2_000, 4_000};
            for (int n = 1; n <= hidden.length; n++) {
                List<Delivery> got = engine.consume(q, 10);
                assertThat(got).as("delivery %d", n).hasSize(1);
                assertThat(got.get(0).message().id()).isEqualTo(7);
                clock.advance(Duration.ofMillis(hidden[n - 1] - 1));
                assertThat(engine.consume(q, 10)).as("hidden after delivery %d", n).isEmpty();
                clock.advance(Duration.ofMillis(1));
            }
            assertThat(engine.consume(q, 10)).hasSize(1);
        }
    }

    private static BrokerSettings parse(String flag) {
        return AgentSettings.parse(List.of("--id=a", flag), Map.of(), null).broker();
    }
}

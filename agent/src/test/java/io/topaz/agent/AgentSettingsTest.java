package io.topaz.agent;

import io.topaz.agent.net.Transport;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AgentSettingsTest {

    @Test
    void flagsWinOverEnvironmentWhichWinsOverDefaults() {
        AgentSettings s = AgentSettings.parse(List.of("--id=agent-1", "--admin-port=9999", "--zk-session-timeout=500ms"),
                Map.of("TOPAZ_ADMIN_PORT", "1234", "TOPAZ_ZONE", "z9", "TOPAZ_ZK_CONNECT", "zk:2181"), "1.0");
        assertThat(s.id()).isEqualTo("agent-1");
        assertThat(s.adminPort()).isEqualTo(9999);
        assertThat(s.zone()).isEqualTo("z9");
        assertThat(s.zkConnect()).isEqualTo("zk:2181");
        assertThat(s.cluster()).isEqualTo("default");
        assertThat(s.zkSessionTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(s.dataDir()).isEqualTo(Path.of("data/agent-1"));
        assertThat(s.version()).isEqualTo("1.0");
        assertThat(s.transport()).isEqualTo(Transport.IO_URING);
        assertThat(s.gatewayEventLoops()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(AgentSettings.parse(List.of("--id=a", "--event-loops=1"), Map.of(), null).gatewayEventLoops())
                .isEqualTo(1);
        assertThat(AgentSettings.parse(List.of("--id=a"), Map.of("TOPAZ_TRANSPORT", "epoll"), null).transport())
                .isEqualTo(Transport.EPOLL);
    }

    @Test
    void badInputNamesTheFlagAndTheRule() {
        assertThatThrownBy(() -> AgentSettings.parse(List.of(), Map.of(), null))
                .hasMessageContaining("--id is required");
        assertThatThrownBy(() -> AgentSettings.parse(List.of("--id=a", "--admin-port=x"), Map.of(), null))
                .hasMessageContaining("--admin-port must be a number, was 'x'");
        assertThatThrownBy(() -> AgentSettings.parse(List.of("--id=a", "--admin-port=70000"), Map.of(), null))
                .hasMessageContaining("--admin-port must be between 0 and 65535");
        assertThatThrownBy(() -> AgentSettings.parse(List.of("--id=a", "--colour=red"), Map.of(), null))
                .hasMessageContaining("unknown flag --colour");
        assertThatThrownBy(() -> AgentSettings.parse(List.of("--id=a", "--zk-session-timeout=soon"), Map.of(), null))
                .hasMessageContaining("must be a duration");
        assertThatThrownBy(() -> AgentSettings.parse(List.of("--id=a", "--transport=dpdk"), Map.of(), null))
                .hasMessageContaining("--transport must be auto, epoll, io_uring or nio, was 'dpdk'");
        assertThatThrownBy(() -> AgentSettings.parse(List.of("--id=a", "--event-loops=-1"), Map.of(), null))
                .hasMessageContaining("--event-loops must be between 0 (one per core) and 1024, was '-1'");
        assertThatThrownBy(() -> AgentSettings.parse(List.of("id=a"), Map.of(), null))
                .hasMessageContaining("must look like --name=value");
        assertThatThrownBy(() -> AgentSettings.parse(List.of("--id=a b"), Map.of(), null))
                .hasMessageContaining("--id");
    }

    @Test
    void pushConfirmationTierBoundsComeFromFlagsOrTheEnvironment() {
        AgentSettings d = AgentSettings.parse(List.of("--id=a"), Map.of(), null);
        assertThat(d.push().confirm().heapEntries()).isEqualTo(65_536);
        assertThat(d.push().confirm().directBytes()).isEqualTo(16L * 1024 * 1024);
        AgentSettings s = AgentSettings.parse(List.of("--id=a", "--push-confirm-heap=0"),
                Map.of("TOPAZ_PUSH_CONFIRM_DIRECT", "512k"), null);
        assertThat(s.push().confirm().heapEntries()).isZero();
        assertThat(s.push().confirm().directBytes()).isEqualTo(512 * 1024);
        assertThat(AgentSettings.parse(List.of("--id=a", "--push-confirm-direct=1g"), Map.of(), null).push()
                .confirm().directBytes()).isEqualTo(1L << 30);
        assertThatThrownBy(() -> AgentSettings.parse(List.of("--id=a", "--push-confirm-heap=lots"), Map.of(), null))
                .hasMessageContaining("--push-confirm-heap must be a number of confirmations");
        assertThatThrownBy(() -> AgentSettings.parse(List.of("--id=a", "--push-confirm-direct=2g"), Map.of(), null))
                .hasMessageContaining("--push-confirm-direct must be a size in bytes up to 1g");
        assertThatThrownBy(() -> AgentSettings.parse(List.of("--id=a", "--push-confirm-direct=-5"), Map.of(), null))
                .hasMessageContaining("--push-confirm-direct");
    }

    @Test
    void pushLimitsComeFromFlagsOrTheEnvironment() {
        AgentSettings d = AgentSettings.parse(List.of("--id=a"), Map.of(), null);
        assertThat(d.push().idleTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(d.push().window()).isEqualTo(1000);
        assertThat(d.push().slowConsumerTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(d.push().pollInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(d.push().maxFrameBytes()).isEqualTo(1024 * 1024);
        AgentSettings s = AgentSettings.parse(List.of("--id=a", "--push-idle-timeout=90s", "--push-window=250",
                        "--push-slow-consumer-timeout=5s", "--push-max-frame=256k", "--push-confirm-heap=10"),
                Map.of("TOPAZ_PUSH_POLL_INTERVAL", "20ms", "TOPAZ_PUSH_WINDOW", "9999"), null);
        assertThat(s.push().idleTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(s.push().window()).isEqualTo(250);
        assertThat(s.push().slowConsumerTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.push().pollInterval()).isEqualTo(Duration.ofMillis(20));
        assertThat(s.push().maxFrameBytes()).isEqualTo(256 * 1024);
        assertThat(s.push().confirm().heapEntries()).isEqualTo(10);
        // the limits without a flag keep their defaults
        assertThat(s.push().connectTimeout()).isEqualTo(d.push().connectTimeout());
        assertThat(s.push().ringSize()).isEqualTo(d.push().ringSize());
    }

    @Test
    void pushLimitsOutOfRangeNameTheFlagAndTheRule() {
        assertThatThrownBy(() -> AgentSettings.parse(List.of("--id=a", "--push-idle-timeout=500ms"), Map.of(), null))
                .hasMessageContaining("--push-idle-timeout must be at least 1s").hasMessageContaining("'500ms'");
        assertThatThrownBy(() -> AgentSettings.parse(List.of("--id=a", "--push-idle-timeout=later"), Map.of(), null))
                .hasMessageContaining("--push-idle-timeout must be a duration");
        assertThatThrownBy(() -> AgentSettings.parse(List.of("--id=a", "--push-window=0"), Map.of(), null))
                .hasMessageContaining("--push-window must be a number of messages between 1 and 10000");
        assertThatThrownBy(() -> AgentSettings.parse(List.of("--id=a", "--push-window=10001"), Map.of(), null))
                .hasMessageContaining("--push-window");
        assertThatThrownBy(() -> AgentSettings.parse(List.of("--id=a"), Map.of("TOPAZ_PUSH_WINDOW", "many"), null))
                .hasMessageContaining("--push-window").hasMessageContaining("'many'");
        assertThatThrownBy(() -> AgentSettings.parse(List.of("--id=a", "--push-slow-consumer-timeout=0s"), Map.of(),
                null)).hasMessageContaining("--push-slow-consumer-timeout must be at least 100ms");
        assertThatThrownBy(() -> AgentSettings.parse(List.of("--id=a", "--push-poll-interval=1ms"), Map.of(), null))
                .hasMessageContaining("--push-poll-interval must be between 10ms and 10s");
        assertThatThrownBy(() -> AgentSettings.parse(List.of("--id=a", "--push-poll-interval=1m"), Map.of(), null))
                .hasMessageContaining("--push-poll-interval");
        assertThatThrownBy(() -> AgentSettings.parse(List.of("--id=a", "--push-max-frame=512"), Map.of(), null))
                .hasMessageContaining("--push-max-frame must be a size in bytes from 1k to 64m");
        assertThatThrownBy(() -> AgentSettings.parse(List.of("--id=a", "--push-max-frame=1g"), Map.of(), null))
                .hasMessageContaining("--push-max-frame");
        assertThatThrownBy(() -> AgentSettings.parse(List.of("--id=a", "--push-max-frame=big"), Map.of(), null))
                .hasMessageContaining("--push-max-frame");
    }
}

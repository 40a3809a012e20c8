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
}

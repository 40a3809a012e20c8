package io.topaz.agent.broker.cluster;

import io.topaz.agent.AgentSettings;
import io.topaz.agent.TopazAgent;
import io.topaz.agent.metadata.MetadataSettings;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The agent refuses a broker it cannot run, saying why, instead of starting half of one. */
class AgentBrokerWiringTest {

    @TempDir
    Path dir;

    @Test
    void aBrokerPortWithoutTheControlPlaneOrAStorageEngineIsRefused() throws Exception {
        try (TestingServer zk = new TestingServer(true)) {
            AgentSettings plain = AgentSettings.of("w1", zk.getConnectString(), dir).withBrokerPort(1);
            assertThatThrownBy(() -> TopazAgent.start(plain, Clock.systemUTC()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("--broker-port needs --control-url and --agent-token");

            AgentSettings withControl = plain.withMetadata(
                    new MetadataSettings("http://127.0.0.1:9", "token", null, null));
            assertThatThrownBy(() -> TopazAgent.start(withControl, Clock.systemUTC()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("storage engine");
        }
    }
}

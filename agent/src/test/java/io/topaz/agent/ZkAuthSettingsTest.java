package io.topaz.agent;

import io.topaz.model.zk.ZkCredentials;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The agent's ZooKeeper identity: {@code --zk-auth-file} / {@code --zk-auth} and their environment variables. */
class ZkAuthSettingsTest {

    @TempDir
    Path dir;

    @Test
    void readsTheIdentityFromAFileOrTheEnvironment() throws Exception {
        Path file = dir.resolve("zk-agent");
        Files.writeString(file, "topaz-agent:pa55:with-colon\n");
        AgentSettings fromFile = AgentSettings.parse(List.of("--id=a", "--zk-auth-file=" + file), Map.of(), null);
        assertThat(fromFile.zkAuth()).isEqualTo(ZkCredentials.parse("topaz-agent:pa55:with-colon", "t"));

        AgentSettings fromEnv = AgentSettings.parse(List.of("--id=a"), Map.of("TOPAZ_ZK_AUTH", "topaz-agent:pa55"), null);
        assertThat(fromEnv.zkAuth().user()).isEqualTo("topaz-agent");
        assertThat(AgentSettings.parse(List.of("--id=a"), Map.of("TOPAZ_ZK_AUTH_FILE", file.toString()), null).zkAuth())
                .isEqualTo(fromFile.zkAuth());
        assertThat(AgentSettings.parse(List.of("--id=a"), Map.of(), null).zkAuth()).isNull();
        assertThat(AgentMain.usage()).contains("--zk-auth-file", "TOPAZ_ZK_AUTH_FILE", "--zk-auth ", "TOPAZ_ZK_AUTH ");
    }

    @Test
    void thePasswordIsNeverShown() throws Exception {
        AgentSettings s = AgentSettings.parse(List.of("--id=a", "--zk-auth=topaz-agent:s3cret-pw"), Map.of(), null);
        assertThat(s.toString()).contains("topaz-agent").doesNotContain("s3cret-pw");
        assertThatThrownBy(() -> AgentSettings.parse(List.of("--id=a", "--zk-auth=s3cret-pw-without-user"), Map.of(), null))
                .hasMessageContaining("--zk-auth").hasMessageContaining("user:password").hasMessageNotContaining("s3cret");
        Path file = dir.resolve("bad");
        Files.writeString(file, "s3cret-pw-only\n");
        assertThatThrownBy(() -> AgentSettings.parse(List.of("--id=a", "--zk-auth-file=" + file), Map.of(), null))
                .hasMessageContaining("--zk-auth-file").hasMessageNotContaining("s3cret");
    }

    @Test
    void refusesBothOrAFileItCannotRead() {
        assertThatThrownBy(() -> AgentSettings.parse(List.of("--id=a", "--zk-auth=u:p"),
                Map.of("TOPAZ_ZK_AUTH_FILE", dir.resolve("f").toString()), null)).hasMessageContaining("both set");
        assertThatThrownBy(() -> AgentSettings.parse(List.of("--id=a", "--zk-auth-file=" + dir.resolve("missing")), Map.of(), null))
                .hasMessageContaining("cannot read");
    }

    @Test
    void theDigestIsZooKeepersOwn() throws Exception {
        ZkCredentials c = ZkCredentials.parse("topaz-agent:pa55:with-colon", "t");
        assertThat(c.digestId()).isEqualTo(DigestAuthenticationProvider.generateDigest("topaz-agent:pa55:with-colon"));
        assertThat(new String(c.authBytes(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("topaz-agent:pa55:with-colon");
    }
}

package io.topaz.control.zk;

import io.topaz.model.zk.ZkCredentials;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How the control plane's {@code topaz.zookeeper.auth} settings become the identities its ACLs name. */
class ZkIdentitiesTest {

    @TempDir
    Path dir;

    @Test
    void readsTheControlPlaneFromAFileAndGrantsAgentsByTheirDigest() throws Exception {
        Path cpFile = dir.resolve("zk-control-plane");
        Files.writeString(cpFile, "topaz-cp:s3cret\n");
        Path agentFile = dir.resolve("zk-agent");
        Files.writeString(agentFile, "topaz-agent:an0ther\n");

        ZkIdentities ids = ZkIdentities.from(new ZooKeeperProperties.Auth(null, cpFile, null, agentFile, null));

        assertThat(ids.secured()).isTrue();
        assertThat(ids.controlPlane()).isEqualTo(ZkCredentials.parse("topaz-cp:s3cret", "t"));
        assertThat(ids.agentDigest()).isEqualTo(DigestAuthenticationProvider.generateDigest("topaz-agent:an0ther"));
        String digest = DigestAuthenticationProvider.generateDigest("topaz-agent:an0ther");
        assertThat(ZkIdentities.from(new ZooKeeperProperties.Auth("topaz-cp:s3cret", null, null, null, digest)).agentDigest())
                .isEqualTo(digest);
    }

    @Test
    void nothingConfiguredIsOpen() {
        assertThat(ZkIdentities.from(new ZooKeeperProperties.Auth(null, null, null, null, " ")).secured()).isFalse();
    }

    @Test
    void refusesHalfAConfigurationOrTheSameIdentityTwice() {
        assertThatThrownBy(() -> ZkIdentities.from(new ZooKeeperProperties.Auth("topaz-cp:a", null, null, null, null)))
                .hasMessageContaining("set both");
        assertThatThrownBy(() -> ZkIdentities.from(new ZooKeeperProperties.Auth(null, null, "topaz-agent:a", null, null)))
                .hasMessageContaining("set both");
        assertThatThrownBy(() -> ZkIdentities.from(new ZooKeeperProperties.Auth("same:pw", null, "same:pw", null, null)))
                .hasMessageContaining("must differ");
        assertThatThrownBy(() -> ZkIdentities.from(new ZooKeeperProperties.Auth("same:pw1", null, "same:pw2", null, null)))
                .hasMessageContaining("user must differ");
        assertThatThrownBy(() -> ZkIdentities.from(new ZooKeeperProperties.Auth("cp:pw", null, null, null, "agent:not-a-digest")))
                .hasMessageContaining("agent-digest");
        assertThatThrownBy(() -> ZkIdentities.from(new ZooKeeperProperties.Auth("cp:pw", dir.resolve("x"), "a:b", null, null)))
                .hasMessageContaining("both set");
    }

    @Test
    void errorsAndToStringNeverShowThePassword() {
        assertThatThrownBy(() -> ZkIdentities.from(new ZooKeeperProperties.Auth("no-colon-s3cret", null, "a:b", null, null)))
                .hasMessageContaining("topaz.zookeeper.auth.control-plane").hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> ZkIdentities.from(new ZooKeeperProperties.Auth(null, dir.resolve("missing"), "a:b", null, null)))
                .hasMessageContaining("cannot read");
        ZooKeeperProperties.Auth auth = new ZooKeeperProperties.Auth("cp:s3cret", null, "agent:an0ther", null, null);
        assertThat(auth.toString()).doesNotContain("s3cret", "an0ther");
        assertThat(ZkIdentities.from(auth).toString()).doesNotContain("s3cret");
    }
}

package io.topaz.control.zk;

import io.topaz.model.zk.ZkCredentials;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The two ZooKeeper identities the tree's ACLs name: the control plane's own credentials (it authenticates with them)
 * and the agents' digest id (it only grants rights to it). Both absent means open ACLs.
 *
 * @param controlPlane the control plane's credentials; null when unsecured
 * @param agentDigest  the agents' ACL id, {@code user:base64(sha1(user:password))}; null when unsecured
 */
public record ZkIdentities(ZkCredentials controlPlane, String agentDigest) {

    public ZkIdentities {
        if ((controlPlane == null) != (agentDigest == null)) {
            throw new IllegalArgumentException("topaz.zookeeper.auth: set both the control plane's identity "
                    + "(control-plane or control-plane-file) and the agents' (agent, agent-file or agent-digest), or neither");
        }
        if (controlPlane != null && controlPlane.digestId().equals(agentDigest)) {
            throw new IllegalArgumentException("topaz.zookeeper.auth: the agents' identity must differ from the "
                    + "control plane's, or agents could write everything the control plane can");
        }
        if (controlPlane != null && agentDigest.substring(0, agentDigest.indexOf(':')).equals(controlPlane.user())) {
            throw new IllegalArgumentException("topaz.zookeeper.auth: the agents' user must differ from the control plane's");
        }
    }

    public static ZkIdentities open() {
        return new ZkIdentities(null, null);
    }

    /** Resolves the configured identities; a problem is named by its property, never echoing a secret. */
    public static ZkIdentities from(ZooKeeperProperties.Auth auth) {
        ZkCredentials cp = credentials(auth.controlPlane(), auth.controlPlaneFile(), "topaz.zookeeper.auth.control-plane");
        ZkCredentials agent = credentials(auth.agent(), auth.agentFile(), "topaz.zookeeper.auth.agent");
        String digest = blank(auth.agentDigest()) ? null : auth.agentDigest().strip();
        if (agent != null && digest != null) {
            throw new IllegalArgumentException("topaz.zookeeper.auth: set agent (or agent-file) or agent-digest, not both");
        }
        if (digest != null && !digest.matches("[A-Za-z0-9._-]{1,64}:[A-Za-z0-9+/]{27}=")) {
            throw new IllegalArgumentException("topaz.zookeeper.auth.agent-digest must look like user:base64(sha1(user:password)), "
                    + "as ZooKeeper's DigestAuthenticationProvider prints it");
        }
        return new ZkIdentities(cp, agent != null ? agent.digestId() : digest);
    }

    public boolean secured() {
        return controlPlane != null;
    }

    public Optional<ZkCredentials> credentials() {
        return Optional.ofNullable(controlPlane);
    }

    private static ZkCredentials credentials(String value, Path file, String property) {
        if (!blank(value) && file != null) {
            throw new IllegalArgumentException(property + " and " + property + "-file are both set; set one");
        }
        if (file != null) {
            return ZkCredentials.read(file, property + "-file");
        }
        return blank(value) ? null : ZkCredentials.parse(value, property);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}

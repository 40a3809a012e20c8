package io.topaz.model.zk;

import java.util.List;

/**
 * The ACL agents give every node they create under {@link ZkLayout#agentOwned()}, as the control plane publishes it
 * in {@link ZkLayout#agentNodeAcl()}. Agents cannot learn it otherwise: ZooKeeper hides the digests in an ACL from a
 * client without the ADMIN right, and agents must not need the control plane's identity in their configuration.
 *
 * @param grants the ACL entries, in ZooKeeper's terms
 */
public record AgentNodeAcl(List<Grant> grants) {

    public AgentNodeAcl {
        grants = grants == null ? List.of() : List.copyOf(grants);
    }

    /**
     * One ACL entry.
     *
     * @param perms  ZooKeeper's permission bits (READ 1, WRITE 2, CREATE 4, DELETE 8, ADMIN 16)
     * @param scheme {@code digest}, or {@code world} for open ACLs
     * @param id     {@code user:base64(sha1(user:password))} for digest, {@code anyone} for world
     */
    public record Grant(int perms, String scheme, String id) {
    }
}

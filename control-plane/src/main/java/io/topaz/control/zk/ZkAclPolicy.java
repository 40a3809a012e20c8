package io.topaz.control.zk;

import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Which identity may do what on each node under the root; every node the control plane creates gets its ACL from
 * here (Curator asks for the path itself and for each parent it creates), and the start-up migration compares
 * existing nodes against it.
 *
 * <pre>
 * path                              control plane   agents                    anyone else
 * {root} (and parents it creates)   all             read                      nothing
 * {root}/draft/**, {root}/locks/**  all             nothing                   nothing
 * (also draft-revision, audit-outbox, publish-keys)
 * {root}/agents/**, {root}/broker/** all            read, write, create, delete nothing
 * anything else (live, releases/**, blobs/**, metadata/**, token-revocations, …)
 *                                   all             read                      nothing
 * </pre>
 *
 * Agents create their nodes with the ACL of {@code {root}/agents}, which {@link ZkTree} publishes for them in
 * {@code {root}/agent-acl}. Without identities ({@link ZkIdentities#open()}) every node is world-open, as before ACLs
 * existed.
 */
public final class ZkAclPolicy implements ACLProvider {

    private static final int AGENT_WRITE = Perms.READ | Perms.WRITE | Perms.CREATE | Perms.DELETE;

    private final ZkLayout layout;
    private final boolean secured;
    private final List<ACL> controlPlaneOnly;
    private final List<ACL> agentReadable;
    private final List<ACL> agentWritable;

    public ZkAclPolicy(ZkLayout layout, ZkIdentities identities) {
        this.layout = layout;
        this.secured = identities.secured();
        if (secured) {
            ACL cp = new ACL(Perms.ALL, new Id("digest", identities.controlPlane().digestId()));
            Id agents = new Id("digest", identities.agentDigest());
            controlPlaneOnly = acls(cp);
            agentReadable = acls(cp, new ACL(Perms.READ, agents));
            agentWritable = acls(cp, new ACL(AGENT_WRITE, agents));
        } else {
            controlPlaneOnly = ZooDefs.Ids.OPEN_ACL_UNSAFE;
            agentReadable = ZooDefs.Ids.OPEN_ACL_UNSAFE;
            agentWritable = ZooDefs.Ids.OPEN_ACL_UNSAFE;
        }
    }

    public boolean secured() {
        return secured;
    }

    @Override
    public List<ACL> getDefaultAcl() {
        return agentReadable;
    }

    @Override
    public List<ACL> getAclForPath(String path) {
        if (layout.isAgentOwned(path)) {
            return agentWritable;
        }
        if (under(path, layout.drafts()) || under(path, layout.locks()) || under(path, layout.draftRevision())
                || under(path, layout.auditOutbox()) || under(path, layout.publishKeys())) {
            return controlPlaneOnly;
        }
        return agentReadable;
    }

    /** Not {@code List.of}: ZooKeeper asks {@code contains(null)}, which immutable lists refuse with an exception. */
    private static List<ACL> acls(ACL... entries) {
        return Collections.unmodifiableList(Arrays.asList(entries));
    }

    private static boolean under(String path, String parent) {
        return path.equals(parent) || path.startsWith(parent + "/");
    }
}

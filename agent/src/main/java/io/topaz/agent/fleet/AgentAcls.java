package io.topaz.agent.fleet;

import io.topaz.model.zk.ZkCredentials;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ACL of each node an agent creates (its registration, the broker's nodes, and any parent Curator creates on the
 * way): the ACL the control plane gave the agent-owned subtree it lies in ({@link ZkLayout#agentOwned()}), so the
 * control plane keeps every right on what agents write without agents knowing its identity.
 *
 * <p>The subtree's ACL is read once from ZooKeeper, when first needed. Should the subtree be missing (a tree from an
 * earlier version, where it was a container node that ZooKeeper removed when it emptied), it is derived from the
 * root's ACL with the agents' read right widened to read, write, create and delete — the same ACL the control plane
 * gives it. Before any control plane has set the tree up (no root), nodes are created open and the control plane
 * locks them down when it starts. Without credentials every node is open.
 */
public final class AgentAcls implements ACLProvider {

    private static final Logger log = LoggerFactory.getLogger(AgentAcls.class);
    private static final int AGENT_WRITE = Perms.READ | Perms.WRITE | Perms.CREATE | Perms.DELETE;

    private final ZkLayout layout;
    private final Id self;
    private final Map<String, List<ACL>> bySubtree = new ConcurrentHashMap<>();
    private volatile CuratorFramework curator;

    /** @param credentials the agent's identity; null for open ACLs */
    public AgentAcls(ZkLayout layout, ZkCredentials credentials) {
        this.layout = layout;
        this.self = credentials == null ? null : new Id("digest", credentials.digestId());
    }

    /** The client the ACLs are read through; the provider is built before it, as Curator's builder needs it first. */
    public void attach(CuratorFramework client) {
        this.curator = client;
    }

    @Override
    public List<ACL> getDefaultAcl() {
        return getAclForPath(layout.root());
    }

    @Override
    public List<ACL> getAclForPath(String path) {
        if (self == null || curator == null) {
            return ZooDefs.Ids.OPEN_ACL_UNSAFE;
        }
        for (String owned : layout.agentOwned()) {
            if (path.equals(owned) || path.startsWith(owned + "/")) {
                try {
                    return bySubtree.computeIfAbsent(owned, this::read);
                } catch (NotSetUp e) {
                    return ZooDefs.Ids.OPEN_ACL_UNSAFE;
                }
            }
        }
        List<ACL> root = readOrNull(layout.root());
        return root != null ? root : ZooDefs.Ids.OPEN_ACL_UNSAFE;
    }

    /** Not cached when it falls back to open ACLs: the next create reads again, once the control plane has run. */
    private List<ACL> read(String subtree) {
        List<ACL> own = readOrNull(subtree);
        if (own != null) {
            return own;
        }
        List<ACL> root = readOrNull(layout.root());
        if (root != null) {
            List<ACL> derived = new ArrayList<>(root.size());
            for (ACL acl : root) {
                derived.add(acl.getId().equals(self) ? new ACL(acl.getPerms() | AGENT_WRITE, self) : acl);
            }
            return List.copyOf(derived);
        }
        log.warn("ZooKeeper root {} does not exist yet: creating {} with open ACLs until a control plane sets the tree "
                + "up and locks it down", layout.root(), subtree);
        throw new NotSetUp();
    }

    private List<ACL> readOrNull(String path) {
        try {
            return List.copyOf(curator.getZookeeperClient().getZooKeeper().getACL(path, null));
        } catch (KeeperException.NoNodeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Exception e) {
            log.warn("cannot read the ACL of {}: {}", path, e.getMessage());
            return null;
        }
    }

    /** Lets {@link #getAclForPath} fall back without caching. */
    private static final class NotSetUp extends RuntimeException {
        NotSetUp() {
            super(null, null, false, false);
        }
    }
}

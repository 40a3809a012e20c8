package io.topaz.control.zk;

import io.topaz.model.json.Json;
import io.topaz.model.zk.AgentNodeAcl;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;

/**
 * Sets up the root and the agent-owned parents with their ACLs at start, idempotently, and brings a tree written
 * without ACLs (an earlier version, or agents that ran before the control plane) under {@link ZkAclPolicy}.
 *
 * <p>The root's ACL is set last: a root that already carries the policy's ACL means an earlier start finished the
 * migration, so a normal start costs a handful of reads. A migration interrupted half-way is redone at the next start.
 */
public final class ZkTree {

    private static final Logger log = LoggerFactory.getLogger(ZkTree.class);

    private final CuratorFramework curator;
    private final ZkLayout layout;
    private final ZkAclPolicy policy;

    public ZkTree(CuratorFramework curator, ZkLayout layout, ZkAclPolicy policy) {
        this.curator = curator;
        this.layout = layout;
        this.policy = policy;
    }

    /**
     * Creates what is missing and migrates what is not yet protected.
     *
     * @return the number of existing nodes whose ACL was changed
     * @throws IllegalStateException when the tree is protected by identities this control plane does not hold
     */
    public int prepare() throws Exception {
        try {
            return prepareOrFail();
        } catch (KeeperException.NoAuthException e) {
            throw notOurs(e.getPath());
        }
    }

    private int prepareOrFail() throws Exception {
        if (!policy.secured()) {
            checkReadableWithoutCredentials();
            return 0;
        }
        String root = layout.root();
        create(root);
        publishAgentNodeAcl();
        for (String owned : layout.agentOwned()) {
            create(owned);
        }
        int conformed = conform(layout.tokenRevocations()); // control-plane-only before agents watched it
        if (same(aclOf(root), policy.getAclForPath(root))) {
            return conformed;
        }
        log.info("ZooKeeper tree {} is not (fully) under ACLs yet; setting them on every node", root);
        int changed = migrateBelow(root);
        curator.setACL().withACL(policy.getAclForPath(root)).forPath(root);
        log.info("ZooKeeper ACLs set on {} existing nodes under {}", changed + 1, root);
        return changed + 1;
    }

    /**
     * Gives an existing node whose policy changed since an earlier version the policy's ACL (the full migration runs
     * only on a tree not yet under ACLs); 1 when it was changed.
     */
    private int conform(String path) throws Exception {
        if (curator.checkExists().forPath(path) == null) {
            return 0;
        }
        List<ACL> want = policy.getAclForPath(path);
        if (same(aclOf(path), want)) {
            return 0;
        }
        curator.setACL().withACL(want).forPath(path);
        log.info("ZooKeeper ACL of {} brought to the current policy", path);
        return 1;
    }

    private void create(String path) throws Exception {
        if (curator.checkExists().forPath(path) != null) {
            return;
        }
        try {
            curator.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT).forPath(path, new byte[0]);
        } catch (KeeperException.NodeExistsException alreadyThere) {
            // another control plane was faster
        } catch (KeeperException.NoAuthException e) {
            throw notOurs(path);
        }
    }

    /** Tells agents which ACL to give the nodes they create: they cannot read digests from an ACL themselves. */
    private void publishAgentNodeAcl() throws Exception {
        List<AgentNodeAcl.Grant> grants = new ArrayList<>();
        for (ACL acl : policy.getAclForPath(layout.agents())) {
            grants.add(new AgentNodeAcl.Grant(acl.getPerms(), acl.getId().getScheme(), acl.getId().getId()));
        }
        byte[] data = Json.write(new AgentNodeAcl(grants));
        String path = layout.agentNodeAcl();
        try {
            if (curator.checkExists().forPath(path) == null) {
                try {
                    curator.create().forPath(path, data);
                    return;
                } catch (KeeperException.NodeExistsException raced) {
                    // fall through to compare
                }
            }
            if (!Arrays.equals(curator.getData().forPath(path), data)) {
                curator.setData().forPath(path, data);
            }
        } catch (KeeperException.NoAuthException e) {
            throw notOurs(path);
        }
    }

    private int migrateBelow(String root) throws Exception {
        int changed = 0;
        Deque<String> pending = new ArrayDeque<>(children(root));
        while (!pending.isEmpty()) {
            String path = pending.pop();
            List<ACL> want = policy.getAclForPath(path);
            try {
                if (!same(aclOf(path), want)) {
                    curator.setACL().withACL(want).forPath(path);
                    changed++;
                }
                pending.addAll(children(path));
            } catch (KeeperException.NoNodeException gone) {
                // deleted meanwhile (an ephemeral, a pruned event): nothing to protect
            }
        }
        return changed;
    }

    private List<String> children(String parent) throws Exception {
        try {
            return curator.getChildren().forPath(parent).stream()
                    .map(c -> parent + "/" + c).toList();
        } catch (KeeperException.NoNodeException gone) {
            return List.of();
        } catch (KeeperException.NoAuthException e) {
            throw notOurs(parent);
        }
    }

    private List<ACL> aclOf(String path) throws Exception {
        try {
            return curator.getACL().storingStatIn(new Stat()).forPath(path);
        } catch (KeeperException.NoAuthException e) {
            throw notOurs(path);
        }
    }

    private void checkReadableWithoutCredentials() throws Exception {
        try {
            if (curator.checkExists().forPath(layout.root()) != null) {
                curator.getChildren().forPath(layout.root());
            }
        } catch (KeeperException.NoAuthException e) {
            throw new IllegalStateException("ZooKeeper tree " + layout.root() + " is protected by ACLs, but this control "
                    + "plane has no ZooKeeper credentials: set topaz.zookeeper.auth.control-plane-file (or "
                    + "control-plane) and agent-file (or agent, agent-digest) — see docs/operations.md");
        }
    }

    private IllegalStateException notOurs(String path) {
        return new IllegalStateException("ZooKeeper denies this control plane's identity on " + path + ": the tree "
                + "was protected with other credentials (were they changed?). Restore the earlier "
                + "topaz.zookeeper.auth identity, or have an administrator (ZooKeeper super user) reset the ACLs — "
                + "see docs/operations.md");
    }

    private static boolean same(List<ACL> a, List<ACL> b) {
        return new HashSet<>(a).equals(new HashSet<>(b));
    }
}

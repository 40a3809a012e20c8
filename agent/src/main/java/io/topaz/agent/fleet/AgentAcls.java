package io.topaz.agent.fleet;

import io.topaz.model.json.Json;
import io.topaz.model.zk.AgentNodeAcl;
import io.topaz.model.zk.ZkCredentials;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The ACL of each node an agent creates (its registration, the broker's nodes, and any parent Curator creates on the
 * way): the one the control plane publishes in {@link ZkLayout#agentNodeAcl()}, which gives the control plane every
 * right and agents read, write, create and delete — so agents need no knowledge of the control plane's identity.
 *
 * <p>It is read from ZooKeeper when first needed and kept. Should it be missing — no control plane has set the tree up
 * yet, or it runs without credentials — nodes are created open (and not kept: the next create reads again); a control
 * plane with credentials locks such nodes down when it starts. Without agent credentials every node is open.
 */
public final class AgentAcls implements ACLProvider {

    private static final Logger log = LoggerFactory.getLogger(AgentAcls.class);

    private final ZkLayout layout;
    private final boolean authenticated;
    private volatile CuratorFramework curator;
    private volatile List<ACL> published;

    /** @param credentials the agent's identity; null for open ACLs */
    public AgentAcls(ZkLayout layout, ZkCredentials credentials) {
        this.layout = layout;
        this.authenticated = credentials != null;
    }

    /** The client the ACL is read through; the provider is built before it, as Curator's builder needs it first. */
    public void attach(CuratorFramework client) {
        this.curator = client;
    }

    @Override
    public List<ACL> getDefaultAcl() {
        if (!authenticated || curator == null) {
            return ZooDefs.Ids.OPEN_ACL_UNSAFE;
        }
        List<ACL> acl = published;
        if (acl == null) {
            acl = read();
            if (acl == null) {
                return ZooDefs.Ids.OPEN_ACL_UNSAFE;
            }
            published = acl;
        }
        return acl;
    }

    /** Agents only create nodes under the subtrees they own, and the parents on the way: all get the same ACL. */
    @Override
    public List<ACL> getAclForPath(String path) {
        return getDefaultAcl();
    }

    private List<ACL> read() {
        String path = layout.agentNodeAcl();
        try {
            AgentNodeAcl acl = Json.read(curator.getZookeeperClient().getZooKeeper().getData(path, false, null),
                    AgentNodeAcl.class);
            // a mutable list: ZooKeeper asks contains(null), which immutable lists refuse with an exception
            List<ACL> out = new ArrayList<>(acl.grants().size());
            acl.grants().forEach(g -> out.add(new ACL(g.perms(), new Id(g.scheme(), g.id()))));
            if (out.isEmpty()) {
                throw new IllegalStateException(path + " lists no grants");
            }
            return Collections.unmodifiableList(out);
        } catch (KeeperException.NoNodeException e) {
            log.warn("{} does not exist: no control plane with ZooKeeper credentials has set the tree up yet; creating "
                    + "nodes with open ACLs until one does (it locks them down when it starts)", path);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Exception e) {
            log.warn("cannot read the ACL for agents' nodes from {} ({}); creating with open ACLs", path, e.toString());
            return null;
        }
    }
}

package io.topaz.agent.fleet;

import io.topaz.model.fleet.AgentInfo;
import io.topaz.model.json.Json;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.zookeeper.CreateMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;

/**
 * The agent's ephemeral node in {@code agents/}, kept by Curator's {@link PersistentNode}: created when ZooKeeper is
 * reachable, recreated after a session expiry, removed when the agent closes or dies. Its data is the agent's
 * {@link AgentInfo}, updated with each applied release so operators see which agents lag a publish.
 */
public final class Registration implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(Registration.class);

    private final CuratorFramework curator;
    private final String path;
    private AgentInfo info;
    private PersistentNode node;
    private boolean closed;

    public Registration(CuratorFramework curator, ZkLayout layout, AgentInfo info) {
        this.curator = curator;
        this.path = layout.agent(info.id());
        this.info = info;
    }

    public synchronized void start() {
        node = newNode(info);
        node.start();
    }

    public synchronized AgentInfo info() {
        return info;
    }

    /** Publishes new data; before the first create succeeds, the pending node is replaced by one with this data. */
    public synchronized void update(AgentInfo next) {
        info = next;
        if (closed || node == null) {
            return;
        }
        try {
            node.setData(Json.write(next));
        } catch (IllegalStateException notCreatedYet) {
            closeQuietly(node);
            node = newNode(next);
            node.start();
        } catch (Exception e) {
            log.warn("cannot update registration {}: {}", path, e.getMessage());
        }
    }

    private PersistentNode newNode(AgentInfo data) {
        return new PersistentNode(curator, CreateMode.EPHEMERAL, false, path, Json.write(data));
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (node != null) {
            closeQuietly(node);
        }
    }

    private static void closeQuietly(PersistentNode n) {
        try {
            n.close();
        } catch (IOException e) {
            log.debug("closing registration node failed", e);
        }
    }
}

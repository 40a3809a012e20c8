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
import java.util.concurrent.TimeUnit;

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
    /** A thread waits for the first create to write {@link #info}. */
    private boolean waiting;

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

    /**
     * Publishes new data. Before ZooKeeper has answered the first create (an agent applies its first release right
     * after registering), the data is kept and written by a short-lived thread once the node exists: the node is never
     * replaced, since a replaced node's late create callback deletes the path behind its successor.
     */
    public synchronized void update(AgentInfo next) {
        info = next;
        if (closed || node == null) {
            return;
        }
        try {
            node.setData(Json.write(next));
        } catch (IllegalStateException notCreatedYet) {
            writeWhenCreated(node);
        } catch (Exception e) {
            log.warn("cannot update registration {}: {}", path, e.getMessage());
        }
    }

    private void writeWhenCreated(PersistentNode pending) {
        if (waiting) {
            return; // the waiting thread writes the latest data
        }
        waiting = true;
        Thread t = new Thread(() -> {
            try {
                while (!pending.waitForInitialCreate(5, TimeUnit.SECONDS)) {
                    synchronized (this) {
                        if (closed) {
                            return;
                        }
                    }
                    log.warn("registration {} not created yet (ZooKeeper unreachable?); still waiting", path);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            synchronized (this) {
                waiting = false;
                if (!closed) {
                    try {
                        pending.setData(Json.write(info));
                    } catch (Exception e) {
                        log.warn("cannot update registration {}: {}", path, e.getMessage());
                    }
                }
            }
        }, "registration-update");
        t.setDaemon(true);
        t.start();
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

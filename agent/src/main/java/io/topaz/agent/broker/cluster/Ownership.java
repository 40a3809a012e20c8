package io.topaz.agent.broker.cluster;

import io.topaz.agent.broker.QueueName;
import io.topaz.model.fleet.AgentInfo;
import io.topaz.model.json.Json;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Which agent owns each (app, group) queue: rendezvous hashing of the queue's key over the live broker agents of this
 * agent's cluster — those registered in ZooKeeper ({@code agents/{id}}, ephemeral) with a {@code broker} port — minus
 * those draining (a graceful stop: {@code broker/draining/{id}}, ephemeral). Every agent computes the same owner from
 * the same registrations.
 *
 * <p>When this agent sees another agent start draining it acknowledges with {@code broker/drain-acks/{that}/{self}}
 * (ephemeral) after its own view excludes that agent, so the draining agent knows when nobody routes to it any more.
 *
 * <p>Listeners run on the ZooKeeper cache's thread after each change of the view; they must not block.
 */
public final class Ownership implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(Ownership.class);

    /** The live broker agents of the cluster that take queues now, by id. */
    public record View(Map<String, AgentInfo> members) {

        public View {
            members = Map.copyOf(members);
        }

        public Optional<AgentInfo> owner(QueueName queue) {
            String id = Rendezvous.owner(queue.key(), members.keySet());
            return id == null ? Optional.empty() : Optional.of(members.get(id));
        }
    }

    private final CuratorFramework curator;
    private final ZkLayout layout;
    private final String selfId;
    private final String cluster;
    private final CuratorCache agents;
    private final CuratorCache draining;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final Set<String> acked = new HashSet<>(); // guarded by this
    private final AtomicBoolean selfDraining = new AtomicBoolean();
    private volatile View view = new View(Map.of());
    private volatile boolean selfLive;

    public Ownership(CuratorFramework curator, ZkLayout layout, String selfId, String cluster) {
        this.curator = curator;
        this.layout = layout;
        this.selfId = selfId;
        this.cluster = cluster;
        this.agents = CuratorCache.build(curator, layout.agents());
        this.draining = CuratorCache.build(curator, layout.brokerDraining());
        agents.listenable().addListener((type, before, after) -> recompute());
        draining.listenable().addListener((type, before, after) -> recompute());
    }

    public void start() {
        draining.start();
        agents.start();
    }

    public void addListener(Runnable listener) {
        listeners.add(listener);
    }

    public String selfId() {
        return selfId;
    }

    public View view() {
        return view;
    }

    /** The queue's owner in the current view; empty when no broker agent is live (or ZooKeeper not answered yet). */
    public Optional<AgentInfo> owner(QueueName queue) {
        return view.owner(queue);
    }

    /** Whether this agent owns {@code queue} now (never while it drains). */
    public boolean ownsLocally(QueueName queue) {
        return view.owner(queue).map(a -> a.id().equals(selfId)).orElse(false);
    }

    /**
     * Whether this agent's own registration (with a broker port) is in ZooKeeper now. Until it is — at start, or
     * after its session expired — the others do not count it either, and it hands nothing over: a restarted agent
     * keeps its backlog for the queues it will own again once registered.
     */
    public boolean selfLive() {
        return selfLive;
    }

    public boolean draining() {
        return selfDraining.get();
    }

    /**
     * Starts a graceful stop: from now on this agent's own view excludes it, and its draining node tells the others.
     * Blocking (one ZooKeeper write).
     */
    public void markDraining() throws Exception {
        if (selfDraining.compareAndSet(false, true)) {
            recompute();
            // acknowledgements of an earlier drain of this agent (peers still alive since) must not count for this one
            String acks = layout.brokerDrainAcks(selfId);
            try {
                for (String child : curator.getChildren().forPath(acks)) {
                    try {
                        curator.delete().forPath(acks + "/" + child);
                    } catch (KeeperException.NoNodeException gone) {
                        // its session ended meanwhile
                    }
                }
            } catch (KeeperException.NoNodeException none) {
                // no earlier drain
            }
            try {
                curator.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL)
                        .forPath(layout.brokerDraining(selfId));
            } catch (KeeperException.NodeExistsException e) {
                // marked already (a retried stop)
            }
        }
    }

    /**
     * The other members of the view as it was before this agent drained that have not yet acknowledged the drain,
     * re-read from ZooKeeper. Blocking.
     */
    public Set<String> peersNotAcknowledged() throws Exception {
        Set<String> waiting = new HashSet<>(liveBrokerAgents().keySet());
        waiting.remove(selfId);
        List<String> acks;
        try {
            acks = curator.getChildren().forPath(layout.brokerDrainAcks(selfId));
        } catch (KeeperException.NoNodeException e) {
            acks = List.of();
        }
        acks.forEach(a -> waiting.remove(ZkLayout.decodeKey(a)));
        return waiting;
    }

    private synchronized void recompute() {
        Map<String, AgentInfo> live = liveBrokerAgents();
        selfLive = live.containsKey(selfId);
        Set<String> drainingIds = new HashSet<>();
        for (ChildData d : (Iterable<ChildData>) draining.stream()::iterator) {
            if (!d.getPath().equals(layout.brokerDraining())) {
                drainingIds.add(ZkLayout.decodeKey(d.getPath().substring(d.getPath().lastIndexOf('/') + 1)));
            }
        }
        if (selfDraining.get()) {
            drainingIds.add(selfId);
        }
        Map<String, AgentInfo> members = new TreeMap<>(live);
        members.keySet().removeAll(drainingIds);
        View next = new View(members);
        boolean changed = !next.members().keySet().equals(view.members().keySet());
        view = next;
        if (changed) {
            log.info("agent {}: broker agents of cluster {} taking queues: {}{}", selfId, cluster, members.keySet(),
                    drainingIds.isEmpty() ? "" : " (draining: " + drainingIds + ")");
            for (Runnable l : listeners) {
                try {
                    l.run();
                } catch (RuntimeException e) {
                    log.warn("ownership listener failed", e);
                }
            }
        }
        acknowledge(drainingIds);
    }

    /** Tells each draining agent (not this one) that this agent's view excludes it now. */
    private void acknowledge(Set<String> drainingIds) {
        synchronized (this) {
            acked.retainAll(drainingIds);
            for (String id : drainingIds) {
                if (id.equals(selfId) || !acked.add(id)) {
                    continue;
                }
                try {
                    curator.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL)
                            .inBackground((client, event) -> {
                                int rc = event.getResultCode();
                                if (rc != KeeperException.Code.OK.intValue()
                                        && rc != KeeperException.Code.NODEEXISTS.intValue()) {
                                    log.warn("cannot acknowledge the drain of agent {}: {}", id,
                                            KeeperException.Code.get(rc));
                                    synchronized (this) {
                                        acked.remove(id);
                                    }
                                }
                            })
                            .forPath(layout.brokerDrainAck(id, selfId));
                } catch (Exception e) {
                    acked.remove(id);
                    log.warn("cannot acknowledge the drain of agent {}: {}", id, e.toString());
                }
            }
        }
    }

    private Map<String, AgentInfo> liveBrokerAgents() {
        Map<String, AgentInfo> live = new TreeMap<>();
        for (ChildData d : (Iterable<ChildData>) agents.stream()::iterator) {
            if (d.getPath().equals(layout.agents()) || d.getData() == null || d.getData().length == 0) {
                continue;
            }
            try {
                AgentInfo info = Json.read(d.getData(), AgentInfo.class);
                Integer port = info.ports().get("broker");
                if (cluster.equals(info.cluster()) && port != null && port > 0) {
                    live.put(info.id(), info);
                }
            } catch (RuntimeException e) {
                log.debug("unreadable agent registration {}", d.getPath(), e);
            }
        }
        return live;
    }

    @Override
    public void close() {
        agents.close();
        draining.close();
    }
}

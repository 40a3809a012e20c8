package io.topaz.agent.broker.cluster;

import io.topaz.agent.broker.BrokerMessage;
import io.topaz.agent.broker.QueueName;
import io.topaz.agent.broker.QueueStats;

/**
 * {@link BrokerCluster} for other packages' tests (the push WebSocket's): in-process broker agents on ephemeral
 * ports sharing one ZooKeeper and a fake control plane, each with its in-memory "disk".
 */
public final class PushCluster implements AutoCloseable {

    public static final String AGENT_TOKEN = BrokerCluster.AGENT_TOKEN;

    private final BrokerCluster cluster;

    public PushCluster() throws Exception {
        cluster = new BrokerCluster();
    }

    /** Starts (and registers) broker agent {@code id}. */
    public BrokerNode start(String id) throws Exception {
        return cluster.start(id).node;
    }

    /** Serves {@code wss://} and https on the broker ports of the agents started from now on. */
    public void tls(io.topaz.agent.net.BrokerTls tls) {
        cluster.tls = tls;
    }

    /** A graceful stop of agent {@code id} (hands its queues over; runs the node's {@code afterDrain} hook). */
    public void stop(String id) {
        cluster.agents.get(id).stop();
    }

    /** Waits until every running agent sees exactly the running agents. */
    public void awaitViews() {
        cluster.awaitViews();
    }

    /** A message about seller {@code userId} with an id from agent {@code id}'s allocator. */
    public BrokerMessage message(String id, String topic, long userId) {
        return cluster.agents.get(id).message(topic, userId);
    }

    /** Messages of {@code q} on agent {@code id}'s disk not yet confirmed (pending or in flight). */
    public long unconfirmed(String id, QueueName q) {
        return cluster.agents.get(id).disk.stats().stream().filter(s -> s.queue().equals(q))
                .mapToLong(QueueStats::backlog).sum();
    }

    /** Whether agent {@code id}'s disk holds queue {@code q} at all. */
    public boolean holds(String id, QueueName q) {
        return cluster.agents.get(id).disk.queues().contains(q);
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}

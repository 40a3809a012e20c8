package io.topaz.agent;

import io.topaz.agent.broker.Broker;
import io.topaz.agent.broker.LocalQueues;
import io.topaz.agent.broker.LocalQueuesFactory;
import io.topaz.agent.broker.PublishHandler;
import io.topaz.agent.broker.cluster.BrokerNode;
import io.topaz.agent.broker.push.PushServer;
import io.topaz.agent.broker.push.PushSettings;
import io.topaz.agent.broker.queue.QueueEngine;
import io.topaz.agent.config.SnapshotHolder;
import io.topaz.agent.gateway.GatewayLimits;
import io.topaz.agent.metadata.MetadataClient;
import io.topaz.agent.net.Transport;
import io.topaz.agent.tmc.BacklogCaps;
import io.topaz.agent.tmc.ControlPlaneTmc;
import io.topaz.agent.tmc.TmcApis;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;

/**
 * The broker of a {@link TopazAgent} started with {@code --broker-port}: opens its queues in {@code <data-dir>/broker}
 * (the storage engine {@link QueueEngine}, or a test's {@link LocalQueuesFactory}), joins the cluster's brokers
 * ({@link BrokerNode}), adds the push WebSocket to the broker port ({@link #startPush}) and stops both, push first.
 * {@link TopazAgent} decides when; this class holds the broker's wiring. Logs as {@link TopazAgent}, whose job this
 * was.
 */
final class AgentBroker implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(TopazAgent.class);
    /** A graceful stop waits at most this long for push connections to end and give their messages back. */
    private static final Duration PUSH_CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final AgentSettings settings;
    private final Clock clock;
    private final AgentMetrics metrics;
    private final SnapshotHolder holder;
    private final MetadataClient metadata;
    private final BrokerNode node;
    private PushServer push;

    private AgentBroker(AgentSettings settings, Clock clock, AgentMetrics metrics, SnapshotHolder holder,
                        MetadataClient metadata, BrokerNode node) {
        this.settings = settings;
        this.clock = clock;
        this.metrics = metrics;
        this.holder = holder;
        this.metadata = metadata;
        this.node = node;
    }

    /**
     * Opens the queues with {@code queuesFactory} (null for the storage engine, with the {@code --broker-*} flags and
     * the backlog caps of the live release) and starts the broker node; refused without the control plane.
     */
    static AgentBroker start(AgentSettings settings, Clock clock, AgentMetrics metrics, SnapshotHolder holder,
                             LocalQueuesFactory queuesFactory, CuratorFramework curator, ZkLayout layout,
                             Transport transport, MetadataClient metadata) throws InterruptedException {
        if (metadata == null) {
            throw new IllegalArgumentException("--broker-port needs --control-url and --agent-token: the broker port "
                    + "checks callers' tokens with the control plane and calls other agents with this agent's token");
        }
        LocalQueues queues;
        try {
            BrokerSettings b = settings.broker();
            LocalQueuesFactory factory = queuesFactory != null ? queuesFactory
                    : (dir, c) -> QueueEngine.open(dir, b.engineOptions(), c, metrics.registry(),
                    new BacklogCaps(holder::current, b.platformBacklogCap()));
            queues = factory.open(settings.dataDir().resolve("broker"), clock);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot open the broker's queues in " + settings.dataDir().resolve("broker")
                    + ": " + e.getMessage(), e);
        }
        log.info("broker storage: redelivery after {} (backoff {}), {} attempts, retention {}, durability {}, "
                + "platform backlog cap {}", settings.broker().redeliveryTimeout(), settings.broker().backoffLevels(),
                settings.broker().maxAttempts(), settings.broker().retention(), settings.broker().durability(),
                settings.broker().backlogCap() == 0 ? "none" : settings.broker().backlogCap());
        BrokerNode node = BrokerNode.start(curator, layout, queues, BrokerNode.Settings.defaults(settings.id(),
                settings.cluster(), settings.host(), settings.brokerPort(), transport,
                settings.metadata().controlUrl(), settings.metadata().agentToken()).withTls(settings.brokerTls()));
        return new AgentBroker(settings, clock, metrics, holder, metadata, node);
    }

    /** The push WebSocket ({@code GET /} on the broker port), beside the broker port's internal API. */
    void startPush(TmcApis tmc) {
        PushSettings p = settings.push();
        p = p.withConfirm(p.confirm().withDir(settings.dataDir().resolve("push-confirm")));
        push = new PushServer(node.broker(), metadata, holder::current, tmc, p, clock, metrics.registry());
        node.server().pipelineTail(push::install);
        node.clusterBroker().onStored(push::stored);
        node.server().push(push);
        node.afterDrain(() -> push.closeAll(PUSH_CLOSE_TIMEOUT));
    }

    /**
     * The push WebSocket on an agent without the gateway: publish frames still produce, through message-service APIs
     * of its own.
     */
    void startPushWithoutGateway(ExecutorService metadataExecutor) {
        startPush(new TmcApis(node.broker(), metadata, new ControlPlaneTmc(settings.metadata().controlUrl(),
                settings.metadata().agentToken(), metadataExecutor), clock,
                GatewayLimits.defaults().platformZone(), metrics.registry()));
    }

    BrokerNode node() {
        return node;
    }

    /** The message service (the whole cluster's queues behind one interface). */
    Broker broker() {
        return node.broker();
    }

    void publishHandler(PublishHandler handler) {
        node.publishHandler(handler);
    }

    int port() {
        return node.port();
    }

    /** Stops push, then the broker; each failure is logged at debug, as {@link TopazAgent#close()} does. */
    @Override
    public void close() {
        // the ring stops; queued confirmations are applied (or kept in data-dir/push-confirm)
        TopazAgent.closeQuietly(push);
        // drains: hands its queues over while ZooKeeper and the peers are still reachable
        TopazAgent.closeQuietly(node);
    }
}

package io.topaz.agent.broker.cluster;

import com.github.benmanes.caffeine.cache.Ticker;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.topaz.agent.broker.Broker;
import io.topaz.agent.broker.LocalQueues;
import io.topaz.agent.broker.PublishHandler;
import io.topaz.agent.net.BrokerTls;
import io.topaz.agent.net.Transport;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One agent's broker layer, assembled: message ids ({@link ZkMessageIds}), queue ownership ({@link Ownership}), the
 * agent's {@link LocalQueues}, the peers' client, the {@link ClusterBroker} and the broker port
 * ({@link BrokerServer}). The agent's own ZooKeeper registration (with {@code ports.broker}) makes it an owner of
 * queues; this layer does not register it.
 *
 * <p>{@link #close()} is the graceful stop: the broker drains (hands its queues over) while the port still serves and
 * ZooKeeper is still connected, then the port, the peers' client, the ownership view and the local queues close.
 * The caller closes its ZooKeeper client afterwards.
 */
public final class BrokerNode implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(BrokerNode.class);

    /**
     * @param agentToken    this agent's control-plane token (AGENT role): sent to peers
     * @param controlUrl    where tokens are checked ({@code GET /api/v1/me})
     * @param eventLoops    threads of the broker port and the peers' client
     * @param idBlockSize   ids taken from ZooKeeper at a time ({@link ZkMessageIds#DEFAULT_BLOCK})
     * @param tokenCacheTtl how long a token's answer is trusted (30 s)
     * @param maxBodyBytes  the largest request the broker port reads
     * @param tls           TLS on the broker port and to the peers' ({@code --broker-tls-*}); null for plain
     */
    public record Settings(String agentId, String cluster, String host, int port, Transport transport,
                           String controlUrl, String agentToken, int eventLoops, long idBlockSize,
                           Duration tokenCacheTtl, int maxBodyBytes, Duration idleTimeout,
                           ClusterBroker.Settings routing, BrokerTls tls) {

        public static Settings defaults(String agentId, String cluster, String host, int port, Transport transport,
                                        String controlUrl, String agentToken) {
            return new Settings(agentId, cluster, host, port, transport, controlUrl, agentToken, 2,
                    ZkMessageIds.DEFAULT_BLOCK, Duration.ofSeconds(30), 16 * 1024 * 1024, Duration.ofMinutes(2),
                    ClusterBroker.Settings.defaults(), null);
        }

        public Settings withClusterSettings(ClusterBroker.Settings s) {
            return new Settings(agentId, cluster, host, port, transport, controlUrl, agentToken, eventLoops,
                    idBlockSize, tokenCacheTtl, maxBodyBytes, idleTimeout, s, tls);
        }

        public Settings withIdBlockSize(long size) {
            return new Settings(agentId, cluster, host, port, transport, controlUrl, agentToken, eventLoops,
                    size, tokenCacheTtl, maxBodyBytes, idleTimeout, routing, tls);
        }

        /** {@code wss://} and https on the broker port, https to the peers ({@link BrokerTls}); null: plain. */
        public Settings withTls(BrokerTls t) {
            return new Settings(agentId, cluster, host, port, transport, controlUrl, agentToken, eventLoops,
                    idBlockSize, tokenCacheTtl, maxBodyBytes, idleTimeout, routing, t);
        }
    }

    private final AtomicBoolean closed = new AtomicBoolean();
    private final LocalQueues local;
    private EventLoopGroup loops;
    private ExecutorService background;
    private ExecutorService idFetcher;
    private ZkMessageIds ids;
    private Ownership ownership;
    private PeerClient peers;
    private ClusterBroker broker;
    private BrokerServer server;
    private ControlPlaneAuth auth;
    private TokenRevocationWatch revocations;
    private int port;
    private volatile Runnable afterDrain = () -> { };

    private BrokerNode(LocalQueues local) {
        this.local = local;
    }

    /**
     * Starts the layer on a started {@code curator}; takes ownership of {@code local} (closed with the layer).
     * Returns once the broker port listens; ids and ownership fill in as ZooKeeper answers.
     */
    public static BrokerNode start(CuratorFramework curator, ZkLayout layout, LocalQueues local, Settings s)
            throws InterruptedException {
        BrokerNode node = new BrokerNode(local);
        try {
            node.doStart(curator, layout, s);
        } catch (RuntimeException | InterruptedException e) {
            node.close();
            throw e;
        }
        return node;
    }

    private void doStart(CuratorFramework curator, ZkLayout layout, Settings s) throws InterruptedException {
        if (s.controlUrl() == null || s.agentToken() == null) {
            throw new IllegalArgumentException("--broker-port needs --control-url and --agent-token: the broker port "
                    + "checks callers' tokens and calls other agents with this agent's token");
        }
        s.transport().requireAvailable();
        AtomicInteger n = new AtomicInteger();
        // token checks and local consume/confirm/stats (which may read the disk): never on an event loop
        background = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "topaz-broker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        // blocking ZooKeeper calls, retried for a long time while ZooKeeper is down: a thread of their own
        idFetcher = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "topaz-broker-ids");
            t.setDaemon(true);
            return t;
        });
        loops = new MultiThreadIoEventLoopGroup(s.eventLoops(), s.transport().ioHandlerFactory());
        ids = new ZkMessageIds(curator, layout.messageIds(), s.idBlockSize(), idFetcher, System::nanoTime);
        ids.start();
        ownership = new Ownership(curator, layout, s.agentId(), s.cluster());
        ownership.start();
        // bad TLS files stop the start here, naming the file
        var serverTls = s.tls() == null ? null : s.tls().serverContext();
        var clientTls = s.tls() == null ? null : s.tls().clientContext();
        peers = new PeerClient(loops, s.transport(), s.agentToken(), 64, s.routing().peerTimeout().toMillis(),
                clientTls);
        broker = new ClusterBroker(ids, ownership, local, peers, background, s.routing(), System::nanoTime);
        auth = new ControlPlaneAuth(s.controlUrl(), background, s.tokenCacheTtl(), Ticker.systemTicker());
        revocations = new TokenRevocationWatch(curator, layout, auth).start();
        server = new BrokerServer(broker, auth, background, s.maxBodyBytes(), s.idleTimeout().toMillis())
                .tls(serverTls);
        port = server.start("0.0.0.0", s.port(), loops, s.transport());
        broker.start();
        log.info("broker listening on port {} ({}, {})", port, s.tls() == null ? "ws, http" : "wss, https",
                s.transport().flag());
    }

    public Broker broker() {
        return broker;
    }

    public ClusterBroker clusterBroker() {
        return broker;
    }

    public Ownership ownership() {
        return ownership;
    }

    public ZkMessageIds ids() {
        return ids;
    }

    public LocalQueues local() {
        return local;
    }

    /** The bound broker port. */
    public int port() {
        return port;
    }

    /** Who answers {@code POST /internal/v1/publish} (the gateway's message service); 503 until set. */
    public void publishHandler(PublishHandler handler) {
        server.publishHandler(handler);
    }

    public BrokerServer server() {
        return server;
    }

    /**
     * How the broker port checks callers' tokens (asking the control plane, answers cached): the admin port checks
     * its mutating requests' tokens with it too, so both ports share one cache and one notion of a token's role.
     */
    public ControlPlaneAuth auth() {
        return auth;
    }

    /**
     * What the graceful stop does once the queues are handed over, while the peers can still be reached and before
     * the port closes: the push WebSocket closes its connections there ({@code PushServer.closeAll}), so their
     * unconfirmed messages go back to the queues' new owners.
     */
    public void afterDrain(Runnable hook) {
        this.afterDrain = hook;
    }

    /**
     * The graceful stop: drain (hand every queue over; push connections keep being served through the new owners),
     * then the {@link #afterDrain} hook (push connections close), then close the port, the peers' client and the
     * storage.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        quietly(broker);
        try {
            afterDrain.run();
        } catch (RuntimeException e) {
            log.warn("closing push connections after the drain failed", e);
        }
        quietly(server);
        quietly(revocations);
        quietly(peers);
        quietly(ownership);
        quietly(local);
        if (loops != null) {
            loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (background != null) {
            background.shutdownNow();
        }
        if (idFetcher != null) {
            idFetcher.shutdownNow();
        }
    }

    /**
     * A stop without hand-over, as a crash would leave things (tests, and a stop forced after the drain timed out):
     * the queues stay on this agent's disk.
     */
    public void abandon() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        quietly(server);
        if (broker != null) {
            broker.abandon();
        }
        quietly(peers);
        quietly(ownership);
        quietly(local);
        if (loops != null) {
            loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (background != null) {
            background.shutdownNow();
        }
        if (idFetcher != null) {
            idFetcher.shutdownNow();
        }
    }

    private static void quietly(Closeable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            log.debug("close failed", e);
        }
    }
}

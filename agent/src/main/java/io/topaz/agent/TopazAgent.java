package io.topaz.agent;

import io.topaz.agent.admin.AdminServer;
import io.topaz.agent.broker.Broker;
import io.topaz.agent.broker.LocalQueuesFactory;
import io.topaz.agent.broker.PublishHandler;
import io.topaz.agent.broker.queue.QueueEngine;
import io.topaz.agent.sync.engine.AgentSync;
import io.topaz.agent.sync.engine.SyncEngine;
import io.topaz.agent.config.LocalSnapshot;
import io.topaz.agent.config.ReleaseWatcher;
import io.topaz.agent.config.SnapshotHolder;
import io.topaz.agent.fleet.AgentAcls;
import io.topaz.agent.fleet.ClusterMembers;
import io.topaz.agent.fleet.Registration;
import io.topaz.agent.net.Transport;
import io.topaz.agent.tmc.ControlPlaneTmc;
import io.topaz.agent.tmc.TmcApis;
import io.topaz.agent.traffic.ClusterCounter;
import io.topaz.agent.traffic.RedisClusterCounter;
import io.topaz.agent.traffic.TrafficControl;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.fleet.AgentInfo;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.Optional;
import io.topaz.agent.metadata.MetadataClient;
import io.topaz.agent.gateway.GatewayLimits;
import io.topaz.agent.gateway.GatewayServer;
import io.topaz.model.config.ConfigKind;
import java.util.function.Consumer;

/**
 * One agent: serves the last release it has (from disk at first), follows the live release in ZooKeeper, registers
 * itself for the fleet view, and answers health and metrics on its admin port.
 *
 * <p>Starting never waits for ZooKeeper: with ZooKeeper down the agent serves its local release and catches up when
 * ZooKeeper returns. Lifecycle: {@code LATENT → STARTED → CLOSED}; {@link #close()} may be called more than once.
 */
public final class TopazAgent implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(TopazAgent.class);

    private enum State { LATENT, STARTED, CLOSED }

    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final AtomicReference<ConnectionState> zkState = new AtomicReference<>(null);
    private final AgentSettings settings;
    private final Clock clock;
    private final SnapshotHolder holder = new SnapshotHolder();
    private final AgentMetrics metrics;
    private final long startedAtMillis;
    private CuratorFramework curator;
    private ReleaseWatcher watcher;
    private Registration registration;
    private AdminServer admin;
    private MetadataClient metadata;
    private GatewayServer gateway;
    private ClusterMembers members;
    private TrafficControl traffic;
    private int gatewayPort;
    private ExecutorService metadataExecutor;
    private int adminPort;
    private final LocalQueuesFactory queuesFactory;
    private AgentBroker broker; // with its push WebSocket
    private SyncEngine sync;

    private TopazAgent(AgentSettings settings, Clock clock, LocalQueuesFactory queuesFactory) {
        this.settings = settings;
        this.clock = clock;
        this.queuesFactory = queuesFactory;
        this.metrics = new AgentMetrics(settings.id(), settings.cluster());
        this.startedAtMillis = clock.millis();
    }

    /** Starts an agent; returns once it serves (from its local release, if any) and its admin port listens. */
    public static TopazAgent start(AgentSettings settings, Clock clock) throws InterruptedException {
        return start(settings, clock, null);
    }

    /**
     * As {@link #start(AgentSettings, Clock)}, with another storage for the broker (tests): with {@code --broker-port}
     * the agent opens its queues with {@code queues} in {@code <data-dir>/broker}; null for the storage engine
     * ({@link QueueEngine}, with the {@code --broker-*} flags of {@link AgentSettings#broker()} and the backlog caps of
     * the live release's subscriptions).
     */
    public static TopazAgent start(AgentSettings settings, Clock clock, LocalQueuesFactory queues)
            throws InterruptedException {
        TopazAgent agent = new TopazAgent(settings, clock, queues);
        try {
            agent.doStart();
        } catch (RuntimeException | InterruptedException e) {
            agent.close();
            throw e;
        }
        return agent;
    }

    private void doStart() throws InterruptedException {
        state.set(State.STARTED);
        LocalSnapshot local = new LocalSnapshot(settings.dataDir());
        local.load().ifPresent(s -> {
            holder.swap(s);
            metrics.restored(s.release());
            log.info("serving release {} from {} until ZooKeeper answers", s.release(), local.file());
        });

        Transport transport = settings.transport().orFallback();
        if (transport != settings.transport()) {
            log.info("network transport {} instead of {}: {}", transport.flag(), settings.transport().flag(),
                    settings.transport().unavailableBecause());
        }
        admin = new AdminServer(this::health, metrics::scrape);
        if (settings.adminTls() != null) {
            admin.tls(settings.adminTls().serverContext());
        }
        adminPort = admin.start("0.0.0.0", settings.adminPort(), transport);

        ZkLayout layout = new ZkLayout(settings.zkRoot());
        curator = zookeeperClient(layout);
        curator.getConnectionStateListenable().addListener((client, newState) -> {
            zkState.set(newState);
            metrics.zookeeperConnected(newState.isConnected());
            if (newState == ConnectionState.LOST || newState == ConnectionState.SUSPENDED) {
                log.warn("ZooKeeper connection {}; serving release {} meanwhile", newState, holder.current().release());
            } else if (newState == ConnectionState.RECONNECTED) {
                log.info("ZooKeeper connection back");
            }
        });

        registration = new Registration(curator, layout, info(holder.current().release(), 0));
        watcher = new ReleaseWatcher(curator, layout, holder, local, metrics,
                release -> registration.update(info(release, clock.millis())));
        curator.start();
        registration.start();
        watcher.start();
        if (settings.metadata().enabled()) {
            startMetadata(layout);
        }
        if (settings.brokerPort() > 0) {
            broker = AgentBroker.start(settings, clock, metrics, holder, queuesFactory, curator, layout, transport,
                    metadata);
            // the admin port's mutating routes (POST /sync/reconcile) take the same tokens as the broker port
            admin.authenticate(broker.node().auth());
        }
        if (settings.gatewayPort() > 0) {
            if (metadata == null) {
                throw new IllegalArgumentException("--gateway-port needs --control-url and --agent-token: the gateway "
                        + "checks every call's app and session");
            }
            GatewayLimits limits = GatewayLimits.defaults();
            startTraffic(layout, limits);
            // The message service's taobao.tmc.* methods, built into the gateway; without a broker on this agent,
            // produce, consume and confirm answer isp.message-service-unavailable and the permit and group methods
            // work. The same code validates and routes platform services' publishes on the broker port.
            TmcApis tmc = new TmcApis(broker == null ? null : broker.broker(), metadata, new ControlPlaneTmc(
                    settings.metadata().controlUrl(), settings.metadata().agentToken(), metadataExecutor), clock,
                    limits.platformZone(), metrics.registry());
            if (broker != null) {
                broker.publishHandler(tmc.publishHandler(holder::current));
                broker.startPush(tmc);
            }
            gateway = new GatewayServer(holder::current, metadata, metrics.registry(), clock, limits, traffic, tmc);
            if (settings.tls() != null) {
                gateway.tls(settings.tls().serverContext());
            }
            int eventLoops = settings.gatewayEventLoops();
            gatewayPort = gateway.start("0.0.0.0", settings.gatewayPort(), eventLoops, transport);
            log.info("gateway listening on port {} ({}, {}, event loops: {})", gatewayPort,
                    settings.tls() == null ? "http" : "https", transport.flag(), eventLoops);
        }
        if (broker != null && settings.gatewayPort() <= 0) { // push without the gateway: publish frames still produce
            broker.startPushWithoutGateway(metadataExecutor);
        }
        if (settings.ordersDbUrl() != null) { // the order sync: consumes through this agent's broker
            sync = AgentSync.start(settings, curator, layout, broker == null ? null : broker.broker(), holder::current,
                    metadata, metadata == null ? null : metadataExecutor, clock, metrics.registry(), admin);
        }
        log.info("agent {} started (zone {}, cluster {}), admin port {} ({}), ZooKeeper {}{}", settings.id(),
                settings.zone(), settings.cluster(), adminPort, admin.secure() ? "https" : "http", settings.zkConnect(),
                settings.zkRoot());
    }

    /** The Curator client: authenticated and creating nodes with the subtree's ACL when --zk-auth(-file) is set. */
    private CuratorFramework zookeeperClient(ZkLayout layout) {
        AgentAcls acls = new AgentAcls(layout, settings.zkAuth());
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
                .connectString(settings.zkConnect())
                .sessionTimeoutMs((int) settings.zkSessionTimeout().toMillis())
                .connectionTimeoutMs((int) settings.zkConnectionTimeout().toMillis())
                .retryPolicy(new ExponentialBackoffRetry(200, 29, 5_000))
                .aclProvider(acls);
        if (settings.zkAuth() != null) {
            builder.authorization("digest", settings.zkAuth().authBytes());
            log.info("authenticating to ZooKeeper as '{}'", settings.zkAuth().user());
        } else {
            log.warn("no ZooKeeper credentials (--zk-auth-file or --zk-auth): this agent only works against an "
                    + "unprotected tree, which anyone who reaches ZooKeeper can change. Production must set them "
                    + "(see docs/operations.md)");
        }
        CuratorFramework client = builder.build();
        acls.attach(client);
        return client;
    }

    private void startMetadata(ZkLayout layout) {
        AtomicInteger n = new AtomicInteger();
        metadataExecutor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "topaz-metadata-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        metadata = MetadataClient.create(settings.metadata(), curator, layout, clock, metadataExecutor,
                metrics.registry());
        metadata.applyRules(holder.current().items(ConfigKind.CACHE_RULES));
        holder.addListener(s -> metadata.applyRules(s.items(ConfigKind.CACHE_RULES)));
        metadata.start();
        log.info("metadata: L3 {}, L2 {}", settings.metadata().controlUrl(),
                settings.metadata().redisUri() == null ? "none" : settings.metadata().redisUri());
    }

    /** The order sync, empty unless this agent was started with {@code --orders-db-url}. */
    public Optional<SyncEngine> sync() {
        return Optional.ofNullable(sync);
    }

    /** The message service (the whole cluster's queues behind one interface); empty without --broker-port. */
    public Optional<Broker> broker() {
        return Optional.ofNullable(broker).map(AgentBroker::broker);
    }

    /** Who serves the broker port's {@code POST /internal/v1/publish}; until set it answers 503. */
    public void publishHandler(PublishHandler handler) {
        if (broker == null) {
            throw new IllegalStateException("this agent runs no broker (--broker-port)");
        }
        broker.publishHandler(handler);
    }

    /** The broker's port, 0 when this agent runs no broker. */
    public int brokerPort() {
        return broker == null ? 0 : broker.port();
    }

    private void startTraffic(ZkLayout layout, GatewayLimits limits) {
        members = new ClusterMembers(curator, layout, settings.cluster());
        members.start();
        String redis = settings.metadata().redisUri();
        ClusterCounter counter = redis == null ? null
                : new RedisClusterCounter(redis, settings.metadata().redisPrefix(), Duration.ofMillis(250));
        traffic = new TrafficControl(clock, limits.platformZone(), settings.cluster(), members, counter,
                "", settings.dataDir(), metrics.registry()); // the counter adds the Redis prefix
        holder.addListener(traffic::apply); // first, so no release lands between the two lines unseen
        traffic.apply(holder.current());
        if (redis == null) {
            log.info("traffic control: no Redis configured; cluster-wide limits run on each agent's local share");
        }
    }

    /** Apps and sessions through the multi-tier cache; empty when this agent was started without --control-url. */
    public Optional<MetadataClient> metadata() {
        return Optional.ofNullable(metadata);
    }

    private AgentInfo info(long release, long appliedAt) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("admin", adminPort);
        if (settings.gatewayPort() > 0) {
            ports.put("gateway", settings.gatewayPort());
        }
        if (settings.brokerPort() > 0) {
            ports.put("broker", settings.brokerPort());
        }
        return new AgentInfo(settings.id(), settings.zone(), settings.cluster(), settings.host(), ports,
                settings.version(), startedAtMillis, release, appliedAt);
    }

    private Map<String, Object> health() {
        Map<String, Object> h = new LinkedHashMap<>();
        ConnectionState zk = zkState.get();
        h.put("status", "UP");
        h.put("agentId", settings.id());
        h.put("zone", settings.zone());
        h.put("cluster", settings.cluster());
        h.put("appliedRelease", holder.current().release());
        h.put("entries", holder.current().size());
        h.put("zookeeper", zk == null ? "CONNECTING" : zk.isConnected() ? "CONNECTED" : zk.name());
        h.put("startedAt", Instant.ofEpochMilli(startedAtMillis).toString());
        h.put("version", settings.version());
        if (metadata != null) {
            h.put("metadataSource", metadata.apps().sourceDown() || metadata.sessions().sourceDown() ? "DOWN" : "UP");
        }
        return h;
    }

    /** The release this agent serves now: one immutable snapshot. */
    public ConfigSnapshot snapshot() {
        return holder.current();
    }

    public long appliedRelease() {
        return holder.current().release();
    }

    /** Called after each newly applied release, on the applying thread. */
    public void addReleaseListener(Consumer<ConfigSnapshot> listener) {
        holder.addListener(listener);
    }

    public String id() {
        return settings.id();
    }

    /** The gateway's port, 0 when this agent runs no gateway. */
    public int gatewayPort() {
        return gatewayPort;
    }

    public int adminPort() {
        return adminPort;
    }

    public boolean zookeeperConnected() {
        ConnectionState s = zkState.get();
        return s != null && s.isConnected();
    }

    public AgentMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) != State.STARTED) {
            return;
        }
        closeQuietly(gateway);
        if (sync != null) {
            sync.close(); // before the broker: its waiting messages are handed back while the broker still answers
        }
        closeQuietly(broker); // push, then the broker: drains while ZooKeeper and the peers are still reachable
        closeQuietly(traffic);
        closeQuietly(members);
        closeQuietly(metadata);
        if (metadataExecutor != null) {
            metadataExecutor.shutdownNow();
        }
        closeQuietly(watcher);
        closeQuietly(registration);
        closeQuietly(curator);
        closeQuietly(admin);
        metrics.close();
        log.info("agent {} stopped", settings.id());
    }

    static void closeQuietly(Closeable c) {
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

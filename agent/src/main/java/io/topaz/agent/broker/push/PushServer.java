package io.topaz.agent.broker.push;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.micrometer.core.instrument.MeterRegistry;
import io.topaz.agent.broker.Broker;
import io.topaz.agent.broker.push.confirm.Confirmations;
import io.topaz.agent.metadata.MetadataClient;
import io.topaz.agent.tmc.TmcApis;
import io.topaz.model.config.ConfigSnapshot;

import io.topaz.agent.broker.QueueName;

import java.io.Closeable;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The push WebSocket on the broker port: {@link #install} is the broker port's pipeline hook
 * ({@code BrokerServer.pipelineTail}). It adds, after the HTTP codec and aggregator, Netty's
 * {@link WebSocketServerProtocolHandler} for {@code GET /} (any other request — the internal API under
 * {@code /internal/v1/} — passes on untouched), a frame aggregator bounded by the frame limit, and one
 * {@link PushConnection} per connection.
 *
 * <p><b>The push path.</b> store → ring → writers: {@link #stored} (the cluster broker's {@code onStored}, once per
 * message appended here) publishes a small event into the {@link PushRing}; its handler wakes the stored queues'
 * connections on their event loops, once per queue per batch. Connections whose queue another agent owns find new
 * messages by polling (as do all when the ring was full). Client confirmations go to the broker through the tiered
 * {@link Confirmations} (heap → direct memory → files).
 *
 * <p>Pings are dropped before the protocol handler, which would answer them with pongs: some TOP clients feed every
 * frame they receive to their message decoder and disconnect on a pong (docs/tmc-protocol.md, "Heartbeats"). A ping
 * still counts as traffic for the idle timeout.
 */
public final class PushServer implements Closeable {

    private final Broker broker;
    private final MetadataClient metadata;
    private final Supplier<ConfigSnapshot> config;
    private final TmcApis tmc;
    private final PushSettings settings;
    private final Clock clock;
    private final AtomicInteger connections = new AtomicInteger();
    private final PushMetrics metrics;
    private final Map<QueueName, Set<PushWriter>> byQueue = new ConcurrentHashMap<>();
    private final Handshake handshake = new Handshake(this);
    /**
     * Connection tokens. A DRBG seeded here, off the event loops: the default {@code NativePRNG} reads
     * {@code /dev/urandom} on every call, a blocking read BlockHound reports on an event loop.
     */
    private final SecureRandom tokens;
    private final PushRing ring;
    private final Confirmations confirmations;
    /** Connected connections by id: the operators' view and disconnect. */
    private final Map<String, PushConnection> byId = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private static final int GOING_AWAY = 1001;

    /**
     * @param broker   the cluster's broker: consume and confirm go to each queue's owner (this agent or a peer)
     * @param metadata apps, their secrets and groups (the gateway's cache)
     * @param config   the live release: subscriptions, topics
     * @param tmc      the gateway's message-service methods: publish frames are produced through them
     * @param registry where the push meters go ({@link PushMetrics})
     */
    public PushServer(Broker broker, MetadataClient metadata, Supplier<ConfigSnapshot> config, TmcApis tmc,
                      PushSettings settings, Clock clock, MeterRegistry registry) {
        this.broker = broker;
        this.metadata = metadata;
        this.config = config;
        this.tmc = tmc;
        this.settings = settings;
        this.clock = clock;
        this.metrics = new PushMetrics(registry);
        try {
            this.tokens = SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no DRBG SecureRandom in this JVM", e);
        }
        tokens.nextBytes(new byte[16]); // seeds it now
        this.ring = new PushRing(settings.ringSize(), this::wake);
        this.confirmations = Confirmations.start(broker, settings.confirm(), registry);
        metrics.ring(ring);
    }

    /** Adds the push handlers to a new broker-port connection's pipeline (after the HTTP codec and aggregator). */
    public void install(ChannelPipeline p) {
        p.addLast("push-no-pong", NoPong.INSTANCE);
        p.addLast("push-websocket", new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                .websocketPath("/")
                .checkStartsWith(false)
                .maxFramePayloadLength(settings.maxFrameBytes())
                .handleCloseFrames(true)
                .dropPongFrames(true)
                .closeOnProtocolViolation(true)
                .handshakeTimeoutMillis(settings.connectTimeout().toMillis())
                .build()));
        p.addLast("push-aggregator", new WebSocketFrameAggregator(settings.maxFrameBytes()));
        p.addLast("push-connection", new PushConnection(this));
    }

    /**
     * Message {@code id} was stored in these queues on this agent (the cluster broker's {@code onStored}): announced
     * through the ring, so their connections here ask at once rather than at their next poll. Never blocks: when the
     * ring is full the announcement is dropped and counted ({@code topaz.push.ring.full}), and the connections find
     * the message by polling.
     */
    public void stored(long id, Collection<QueueName> queues) {
        ring.stored(id, queues);
    }

    /** The ring's handler: wakes {@code q}'s connections here (each fills on its own event loop). */
    private void wake(QueueName q) {
        Set<PushWriter> ws = byQueue.get(q);
        if (ws != null) {
            ws.forEach(PushWriter::wake);
        }
    }

    void register(QueueName q, PushWriter c) {
        byQueue.compute(q, (k, set) -> {
            Set<PushWriter> s = set != null ? set : ConcurrentHashMap.newKeySet();
            s.add(c);
            return s;
        });
    }

    void unregister(QueueName q, PushWriter c) {
        byQueue.computeIfPresent(q, (k, set) -> {
            set.remove(c);
            return set.isEmpty() ? null : set;
        });
    }

    /** Connections open now (upgraded to WebSocket, connected or not yet). */
    public int connections() {
        return connections.get();
    }

    /** A connection's CONNECT was accepted: it is listed for operators until it ends. */
    void connected(PushConnection c) {
        byId.put(c.id(), c);
    }

    void ended(PushConnection c) {
        byId.remove(c.id(), c);
    }

    /** The connected push connections on this agent now (CONNECT accepted), by app, group and id. */
    public List<PushConnectionInfo> connectionList() {
        List<PushConnectionInfo> list = new ArrayList<>();
        for (PushConnection c : byId.values()) {
            PushConnectionInfo info = c.info();
            if (info != null) {
                list.add(info);
            }
        }
        list.sort(Comparator.comparing(PushConnectionInfo::app).thenComparing(PushConnectionInfo::group)
                .thenComparing(PushConnectionInfo::id));
        return list;
    }

    /**
     * Closes connection {@code id} with 1000 and {@code reason} (an operator's disconnect); its unconfirmed messages
     * go back to its queue at once (reported failed), for the group's other connections or its next one. False when
     * no connected connection has that id.
     */
    public boolean disconnect(String id, String reason) {
        PushConnection c = byId.get(id);
        if (c == null) {
            return false;
        }
        c.disconnect(FrameException.NORMAL, reason);
        return true;
    }

    /**
     * The end of a graceful stop, after the broker handed its queues over: closes every connected connection with
     * 1001 (going away) and waits, at most {@code timeout}, until they ended and the confirmation tiers gave their
     * unconfirmed messages back to the queues' (new) owners — so the clients reconnect elsewhere and get them again
     * at once.
     */
    public void closeAll(Duration timeout) {
        List<PushConnection> open = new ArrayList<>(byId.values());
        long deadline = System.nanoTime() + timeout.toNanos();
        for (PushConnection c : open) {
            c.disconnect(GOING_AWAY, "agent stopping: reconnect; unconfirmed messages will be delivered again");
        }
        try {
            while ((open.stream().anyMatch(c -> byId.containsKey(c.id())) || !confirmations.idle())
                    && System.nanoTime() < deadline) {
                Thread.sleep(10); // a stop, not a test: the connections end on their event loops
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // what was not given back comes back after the redelivery timeout: at least once either way
    }

    String nextConnectionId() {
        return Long.toString(ids.incrementAndGet());
    }

    /** Connections closed as too slow since the start. */
    public long slowCloses() {
        return metrics.slowCloses();
    }

    /** Push connections of {@code q} on this agent now. */
    public int connections(QueueName q) {
        return metrics.connections(q);
    }

    /** The confirmation tiers (their counts and the share applied without disk I/O). */
    public Confirmations confirmations() {
        return confirmations;
    }

    /**
     * Stops the push ring and applies the queued confirmations (or writes them to the confirmation files for the
     * next start). Call after the broker port stopped taking connections and before the broker closes.
     */
    @Override
    public void close() {
        ring.close();
        confirmations.close();
    }

    PushRing ring() {
        return ring;
    }

    /** A new connection's token: 16 random bytes in hex. Never blocks. */
    String newToken() {
        byte[] random = new byte[16];
        tokens.nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    Handshake handshake() {
        return handshake;
    }

    PushMetrics metrics() {
        return metrics;
    }

    Broker broker() {
        return broker;
    }

    MetadataClient metadata() {
        return metadata;
    }

    ConfigSnapshot config() {
        return config.get();
    }

    TmcApis tmc() {
        return tmc;
    }

    PushSettings settings() {
        return settings;
    }

    Clock clock() {
        return clock;
    }

    AtomicInteger connectionCount() {
        return connections;
    }

    /** Drops pings: the server never answers them (nor pings); they only keep the connection from idling out. */
    @io.netty.channel.ChannelHandler.Sharable
    static final class NoPong extends ChannelInboundHandlerAdapter {
        static final NoPong INSTANCE = new NoPong();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof PingWebSocketFrame ping) {
                ping.release();
                return;
            }
            ctx.fireChannelRead(msg);
        }
    }
}

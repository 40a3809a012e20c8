package io.topaz.agent.gateway;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.topaz.agent.gateway.upstream.UpstreamClient;
import io.topaz.agent.metadata.MetadataClient;
import io.topaz.agent.net.Transport;
import io.topaz.agent.traffic.TrafficControl;
import io.topaz.model.config.ConfigSnapshot;

import java.io.Closeable;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The gateway engine: TOP's {@code /router/rest} on the agent's gateway port, the {@link GatewayPipeline} behind it,
 * and the upstream client on the same event loops. Lifecycle {@code LATENT → STARTED → CLOSED}; {@link #close()} may
 * be called more than once.
 */
public final class GatewayServer implements Closeable {

    private enum State { LATENT, STARTED, CLOSED }

    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final Supplier<ConfigSnapshot> config;
    private final MetadataClient metadata;
    private final MeterRegistry registry;
    private final Clock clock;
    private final GatewayLimits limits;
    private final TrafficControl traffic;
    private final BuiltInApis builtIns;
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private UpstreamClient upstreams;
    private Channel channel;
    private volatile SslContext tls;

    public GatewayServer(Supplier<ConfigSnapshot> config, MetadataClient metadata, MeterRegistry registry, Clock clock,
                         GatewayLimits limits) {
        this(config, metadata, registry, clock, limits, null);
    }

    /**
     * @param traffic flow control (QPS limits, quotas, overload shedding), or null for none; the caller owns it
     */
    public GatewayServer(Supplier<ConfigSnapshot> config, MetadataClient metadata, MeterRegistry registry, Clock clock,
                         GatewayLimits limits, TrafficControl traffic) {
        this(config, metadata, registry, clock, limits, traffic, null);
    }

    /**
     * @param traffic  flow control, or null for none; the caller owns it
     * @param builtIns the APIs the agent serves itself (the message service's {@code taobao.tmc.*},
     *                 {@code io.topaz.agent.tmc.TmcApis}), or null for none: those methods are then unknown (22)
     */
    public GatewayServer(Supplier<ConfigSnapshot> config, MetadataClient metadata, MeterRegistry registry, Clock clock,
                         GatewayLimits limits, TrafficControl traffic, BuiltInApis builtIns) {
        this.builtIns = builtIns;
        this.traffic = traffic;
        this.config = config;
        this.metadata = metadata;
        this.registry = registry;
        this.clock = clock;
        this.limits = limits;
    }

    /** Binds on the default transport (io_uring, else epoll, else nio); returns the port (0 picks a free one). */
    /**
     * Serves https instead of http on the port, from the next {@link #start} (the agent's {@code --tls-cert} and
     * {@code --tls-key}); returns this.
     */
    public GatewayServer tls(SslContext context) {
        this.tls = context;
        return this;
    }

    public int start(String host, int port, int threads) throws InterruptedException {
        return start(host, port, threads, Transport.IO_URING.orFallback());
    }

    /**
     * Binds on {@code transport} and returns the bound port.
     *
     * @throws IllegalArgumentException when this host cannot run {@code transport}
     */
    public int start(String host, int port, int threads, Transport transport) throws InterruptedException {
        transport.requireAvailable();
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("gateway already started or closed");
        }
        boss = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        workers = new MultiThreadIoEventLoopGroup(threads, transport.ioHandlerFactory());
        upstreams = new UpstreamClient(workers, transport.socketChannel(), transport.datagramChannel(),
                limits.upstreamConnectionsPerHost(), limits.upstreamConnectTimeoutMillis());
        UpstreamHealth health = new UpstreamHealth(limits.ejectAfterFailures(), limits.ejectionCoolOff(), System::nanoTime);
        RoutingStage routing = new RoutingStage(health);
        GatewayPipeline pipeline = new GatewayPipeline(new ProtocolStage(clock, limits.timestampWindow(), limits.platformZone()),
                new SecurityStage(metadata, builtIns), new BusinessStage(builtIns), new FlowControlStage(traffic), routing,
                new InvocationStage(upstreams, routing), builtIns);
        TopRefusals refusals = new TopRefusals(new RequestIds());
        GatewayHandler handler = new GatewayHandler(pipeline, config, new GatewayMetrics(registry), refusals, limits,
                builtIns);
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        SslContext ssl = tls;
                        if (ssl != null) { // https: TLS first, everything after it sees plain HTTP
                            ch.pipeline().addLast("tls", ssl.newHandler(ch.alloc()));
                        }
                        ch.pipeline()
                                .addLast(new IdleStateHandler(0, 0, limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS))
                                .addLast(new HttpServerCodec(limits.maxUrlBytes(), limits.maxHeaderBytes(), 16 * 1024))
                                .addLast(new RequestReadTimeout(limits.requestReadTimeout().toMillis(), refusals))
                                .addLast(new TopAggregator(limits.maxBodyBytes(), refusals))
                                .addLast(handler);
                    }
                });
        try {
            channel = b.bind(new InetSocketAddress(host, port)).sync().channel();
        } catch (Exception e) {
            close();
            throw new IllegalStateException("cannot listen on gateway port " + host + ":" + port + ": " + e.getMessage(), e);
        }
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        State previous = state.getAndSet(State.CLOSED);
        if (previous == State.CLOSED) {
            return;
        }
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
        if (upstreams != null) {
            upstreams.close();
        }
        if (boss != null) {
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}

package io.topaz.agent.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.topaz.agent.broker.cluster.ControlPlaneAuth;
import io.topaz.agent.net.Transport;

import java.io.Closeable;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The agent's admin HTTP port: health, metrics and the features' routes, on one event-loop thread of its own. GET and
 * HEAD are open; anything else needs a control-plane token of role AGENT or ADMIN ({@link #authenticate}). With
 * {@link #tls} it serves https only ({@code --admin-tls-cert}), so the tokens never cross the network in clear.
 */
public final class AdminServer implements Closeable {

    private enum State { LATENT, STARTED, CLOSED }

    private static final int MAX_REQUEST_BYTES = 8 * 1024;

    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final AdminHandler handler;
    private EventLoopGroup group;
    private Channel channel;
    private volatile SslContext ssl;

    public AdminServer(Supplier<Map<String, Object>> health, Supplier<String> metrics) {
        this.handler = new AdminHandler(health, metrics);
    }

    /** Serves https with {@code context} (null: plain http); before {@link #start}. */
    public AdminServer tls(SslContext context) {
        if (state.get() != State.LATENT) {
            throw new IllegalStateException("TLS is set before the admin server starts");
        }
        this.ssl = context;
        return this;
    }

    /** Whether the port serves https. */
    public boolean secure() {
        return ssl != null;
    }

    /** Binds and returns the bound port ({@code port} 0 picks a free one). */
    public int start(String bindHost, int port) throws InterruptedException {
        return start(bindHost, port, Transport.IO_URING.orFallback());
    }

    /**
     * Binds on {@code transport} and returns the bound port.
     *
     * @throws IllegalArgumentException when this host cannot run {@code transport}
     */
    public int start(String bindHost, int port, Transport transport) throws InterruptedException {
        transport.requireAvailable();
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("admin server already started or closed");
        }
        group = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        SslContext context = ssl;
                        if (context != null) {
                            ch.pipeline().addLast("tls", context.newHandler(ch.alloc()));
                        }
                        ch.pipeline()
                                .addLast(new IdleStateHandler(0, 0, 60, TimeUnit.SECONDS))
                                .addLast(new HttpServerCodec(4096, 8192, 8192))
                                .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                                .addLast(handler);
                    }
                });
        try {
            channel = b.bind(new InetSocketAddress(bindHost, port)).sync().channel();
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IllegalStateException("cannot listen on admin port " + bindHost + ":" + port + ": " + e.getMessage(), e);
        }
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /**
     * Checks the bearer tokens of requests other than GET/HEAD with {@code auth} (the broker port's check, sharing its
     * cache), before or after {@link #start}. Until it is called such requests are refused (503): an agent without a
     * control plane to ask takes none.
     */
    public AdminServer authenticate(ControlPlaneAuth auth) {
        handler.tokens(auth::caller);
        return this;
    }

    /** Adds an endpoint at {@code path} (exact match), before or after {@link #start}. */
    public void route(String path, AdminRoute route) {
        handler.route(path, route);
    }

    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) != State.STARTED) {
            return;
        }
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}

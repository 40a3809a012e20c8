package io.topaz.demo;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

import java.io.Closeable;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.ZoneId;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The demo upstream: a Netty HTTP server answering the demo APIs as docs/upstream-contract.md describes. Embeddable
 * ({@link #start}) for tests and benchmarks, or run by {@link DemoUpstreamMain}.
 */
public final class DemoUpstream implements Closeable {

    private final EventLoopGroup group;
    private final Channel channel;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DemoUpstream(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /** Starts on {@code host:port} (0 = a free port) with {@code threads} event loops (0 = Netty's default). */
    public static DemoUpstream start(String host, int port, int threads, Clock clock) throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads,
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        DemoHandler handler = new DemoHandler(new DemoApis(clock, ZoneId.of("Asia/Shanghai")));
        try {
            Channel ch = new ServerBootstrap().group(group)
                    .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1024 * 1024), handler);
                        }
                    })
                    .bind(new InetSocketAddress(host, port)).sync().channel();
            return new DemoUpstream(group, ch);
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    public static DemoUpstream start(int port) throws InterruptedException {
        return start("127.0.0.1", port, 0, Clock.systemUTC());
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            channel.close().syncUninterruptibly();
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}

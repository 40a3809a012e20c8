package io.topaz.agent.broker.push;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateHandler;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The broker port's pipeline as {@code BrokerServer} builds it — HTTP codec, idle timeout, aggregator, the
 * {@code pipelineTail} hook ({@link PushServer#install}), then the internal API's handler (here a stand-in answering
 * every HTTP request 404 "internal api"), on an ephemeral port.
 */
final class PushTestServer implements AutoCloseable {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final Channel channel;

    PushTestServer(PushServer push) throws InterruptedException {
        this(push, false);
    }

    /** @param smallBuffers a 4 KiB socket send buffer and 8/16 KiB write-buffer water marks: a client that does not
     *                     read makes the channel unwritable after a few frames */
    PushTestServer(PushServer push, boolean smallBuffers) throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class);
        if (smallBuffers) {
            b.childOption(ChannelOption.SO_SNDBUF, 4096)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(8192, 16384));
        }
        channel = b
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(8192, 16 * 1024, 64 * 1024))
                                .addLast(new IdleStateHandler(0, 0, 120_000, TimeUnit.MILLISECONDS))
                                .addLast(new HttpObjectAggregator(16 * 1024 * 1024));
                        push.install(ch.pipeline());
                        ch.pipeline().addLast(new SimpleChannelInboundHandler<FullHttpRequest>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                byte[] body = ("internal api: " + req.uri()).getBytes(StandardCharsets.UTF_8);
                                var res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND,
                                        Unpooled.wrappedBuffer(body));
                                res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
                                ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
                            }
                        });
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}

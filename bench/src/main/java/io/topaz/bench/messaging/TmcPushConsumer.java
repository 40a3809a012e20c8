package io.topaz.bench.messaging;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.topaz.agent.broker.push.Frame;
import io.topaz.agent.broker.push.FrameCodec;
import io.topaz.model.top.SignMethod;
import io.topaz.model.top.TopSigner;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One push consumer of one app's group, as TOP's {@code TmcClient} behaves: a WebSocket to an agent's broker port
 * ({@code ws://host:port/}), a signed CONNECT, then every pushed message handed to the sink and confirmed
 * ({@code __kind} 2); when the connection ends or cannot be made, it connects again after a short pause, for as long
 * as it runs. Frames are built and read with the agent's own {@link FrameCodec} (docs/tmc-protocol.md, "Push").
 *
 * <p>Counters: connections made, connection failures (refused, dropped) and messages received.
 */
final class TmcPushConsumer implements AutoCloseable {

    private static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private static final long RETRY_MILLIS = 200;
    private static final int KIND_CONFIRM = 2;

    private final URI url;
    private final String appKey;
    private final String secret;
    private final String group;
    private final Consumer<TmcConsumerLoop.Received> sink;
    final AtomicLong connects = new AtomicLong();
    final AtomicLong failures = new AtomicLong();
    final AtomicLong received = new AtomicLong();
    private volatile boolean running = true;
    private volatile Channel channel;

    TmcPushConsumer(URI url, String appKey, String secret, String group, Consumer<TmcConsumerLoop.Received> sink) {
        this.url = url;
        this.appKey = appKey;
        this.secret = secret;
        this.group = group;
        this.sink = sink;
    }

    /** Starts connecting (in the background); returns at once. */
    TmcPushConsumer start() {
        connect();
        return this;
    }

    private void connect() {
        if (!running) {
            return;
        }
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder().webSocketUri(url)
                .maxFramePayloadLength(2 * 1024 * 1024).build();
        new Bootstrap().group(GROUP).channel(NioSocketChannel.class).handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65536),
                        new WebSocketClientProtocolHandler(config), new Handler());
            }
        }).connect(url.getHost(), url.getPort()).addListener(f -> {
            if (!f.isSuccess()) {
                failures.incrementAndGet();
                retry();
            }
        });
    }

    private void retry() {
        if (running) {
            GROUP.schedule(this::connect, RETRY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** A CONNECT as TOP's Java client sends it: version 2, signed with the app's secret. */
    private Frame connectFrame() {
        String timestamp = Long.toString(System.currentTimeMillis());
        Map<String, String> signed = new TreeMap<>(Map.of("app_key", appKey, "group_name", group,
                "timestamp", timestamp));
        Map<String, Object> fields = new LinkedHashMap<>(signed);
        fields.put("sign", TopSigner.sign(signed, null, secret, SignMethod.MD5));
        fields.put("sdk", "topaz-bench");
        return new Frame(2, Frame.CONNECT, null, null, 1, null, fields);
    }

    private final class Handler extends SimpleChannelInboundHandler<WebSocketFrame> {
        private String token;

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                channel = ctx.channel();
                ctx.writeAndFlush(new BinaryWebSocketFrame(FrameCodec.encode(connectFrame(), ctx.alloc())));
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame msg) {
            if (!(msg instanceof BinaryWebSocketFrame)) {
                return;
            }
            Frame f = FrameCodec.decode(msg.content());
            if (f.messageType() == Frame.CONNECTACK) {
                if (f.statusCode() != null && f.statusCode() > 0) {
                    failures.incrementAndGet();
                    ctx.close();
                    return;
                }
                token = f.token();
                connects.incrementAndGet();
            } else if (f.messageType() == Frame.SEND && f.number("id") != null) {
                long id = f.number("id");
                received.incrementAndGet();
                sink.accept(new TmcConsumerLoop.Received(id, f.string("content")));
                Map<String, Object> confirm = new LinkedHashMap<>();
                confirm.put("__kind", (byte) KIND_CONFIRM);
                confirm.put("id", id);
                ctx.writeAndFlush(new BinaryWebSocketFrame(FrameCodec.encode(
                        new Frame(2, Frame.SEND, null, null, null, token, confirm), ctx.alloc())));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            failures.incrementAndGet();
            retry();
        }
    }

    @Override
    public void close() {
        running = false;
        Channel ch = channel;
        if (ch != null) {
            ch.close().syncUninterruptibly();
        }
    }
}

package io.topaz.bench.messaging;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.topaz.agent.broker.push.Frame;
import io.topaz.agent.broker.push.FrameCodec;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TOP message client for the push benchmark: one WebSocket to an agent's broker port speaking the binary TMC
 * protocol (docs/tmc-protocol.md) as TOP's {@code TmcClient} does — a signed CONNECT (version 2), then every SEND
 * pushed by the server handed to the listener and confirmed ({@code __kind} 2) at once; publishes ({@code __kind} 3)
 * answered by a SENDACK. Frames are encoded and decoded with the agent's {@link FrameCodec}: the benchmark measures
 * the server, the agent's own tests check the codec against the spec byte for byte.
 *
 * <p>Confirms are written as messages arrive and flushed once per read batch, as a client reading a socket would.
 * Netty's event loops are the caller's, so many clients share a few threads.
 */
public final class TmcPushClient implements AutoCloseable {

    private static final byte KIND_CONFIRM = 2;
    private static final byte KIND_PUBLISH = 3;

    /** Called on the client's event loop for every pushed message, before it is confirmed. */
    public interface Listener {
        void pushed(Frame send);
    }

    private final Channel channel;
    private final Handler handler;

    private TmcPushClient(Channel channel, Handler handler) {
        this.channel = channel;
        this.handler = handler;
    }

    /**
     * Connects to {@code ws} (e.g. {@code ws://127.0.0.1:8081/}) as {@code appKey} in {@code group}; completes with the
     * client once the server's CONNECTACK accepted it, exceptionally with its status and phrase when it refused.
     */
    public static CompletableFuture<TmcPushClient> connect(EventLoopGroup loops, URI ws, String appKey, String secret,
                                                           String group, Listener listener) {
        CompletableFuture<TmcPushClient> connected = new CompletableFuture<>();
        Handler handler = new Handler(appKey, secret, group, listener, connected);
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder().webSocketUri(ws)
                .maxFramePayloadLength(2 * 1024 * 1024).build();
        new Bootstrap().group(loops).channel(NioSocketChannel.class).option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65536),
                                new WebSocketClientProtocolHandler(config), handler);
                    }
                }).connect(ws.getHost(), ws.getPort()).addListener(f -> {
                    if (!f.isSuccess()) {
                        connected.completeExceptionally(f.cause());
                    } else {
                        handler.client = new TmcPushClient(((io.netty.channel.ChannelFuture) f).channel(), handler);
                    }
                });
        return connected;
    }

    /** The session token the server gave in its CONNECTACK. */
    public String token() {
        return handler.token;
    }

    /** Messages received (and confirmed) so far. */
    public long received() {
        return handler.received.get();
    }

    /**
     * Publishes a message as this connection's app; completes with the server's SENDACK (a status above 0 is a
     * refusal, its phrase says why).
     */
    public CompletableFuture<Frame> publish(String topic, String content) {
        int flag = handler.flags.incrementAndGet();
        CompletableFuture<Frame> ack = new CompletableFuture<>();
        handler.pending.put(flag, ack);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("__kind", KIND_PUBLISH);
        fields.put("topic", topic);
        fields.put("content", content);
        write(new Frame(2, Frame.SEND, null, null, flag, handler.token, fields), true);
        return ack;
    }

    public boolean isOpen() {
        return channel.isActive();
    }

    @Override
    public void close() {
        channel.writeAndFlush(new CloseWebSocketFrame(1000, "bye"));
        channel.close().syncUninterruptibly();
    }

    private void write(Frame f, boolean flush) {
        ByteBuf bytes = FrameCodec.encode(f, channel.alloc());
        BinaryWebSocketFrame ws = new BinaryWebSocketFrame(bytes);
        if (flush) {
            channel.writeAndFlush(ws);
        } else {
            channel.write(ws);
        }
    }

    /** The channel's protocol handler: CONNECT after the handshake, then pushes, confirms and SENDACKs. */
    private static final class Handler extends SimpleChannelInboundHandler<WebSocketFrame> {
        private final String appKey;
        private final String secret;
        private final String group;
        private final Listener listener;
        private final CompletableFuture<TmcPushClient> connected;
        private final AtomicInteger flags = new AtomicInteger();
        private final Map<Integer, CompletableFuture<Frame>> pending = new ConcurrentHashMap<>();
        private final java.util.concurrent.atomic.AtomicLong received = new java.util.concurrent.atomic.AtomicLong();
        private volatile TmcPushClient client;
        private volatile String token;
        private boolean unflushed;

        Handler(String appKey, String secret, String group, Listener listener,
                CompletableFuture<TmcPushClient> connected) {
            this.appKey = appKey;
            this.secret = secret;
            this.group = group;
            this.listener = listener;
            this.connected = connected;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                String timestamp = Long.toString(System.currentTimeMillis());
                Map<String, Object> fields = new LinkedHashMap<>();
                fields.put("app_key", appKey);
                fields.put("group_name", group);
                fields.put("timestamp", timestamp);
                fields.put("sign", sign(secret, appKey, group, timestamp));
                fields.put("sdk", "topaz-bench");
                ctx.writeAndFlush(new BinaryWebSocketFrame(FrameCodec.encode(
                        new Frame(2, Frame.CONNECT, null, null, flags.incrementAndGet(), null, fields), ctx.alloc())));
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof CloseWebSocketFrame c) {
                fail(new IllegalStateException("closed by the server: " + c.statusCode() + " " + c.reasonText()));
                return;
            }
            if (!(frame instanceof BinaryWebSocketFrame)) {
                return;
            }
            Frame f = FrameCodec.decode(frame.content());
            switch (f.messageType()) {
                case Frame.CONNECTACK -> {
                    if (f.statusCode() != null && f.statusCode() > 0) {
                        connected.completeExceptionally(new IllegalStateException("CONNECT refused: "
                                + f.statusCode() + " " + f.statusPhrase()));
                    } else {
                        token = f.token();
                        connected.complete(client);
                    }
                }
                case Frame.SEND -> {
                    received.incrementAndGet();
                    listener.pushed(f);
                    Map<String, Object> fields = new LinkedHashMap<>();
                    fields.put("__kind", KIND_CONFIRM);
                    fields.put("id", f.number("id"));
                    ctx.write(new BinaryWebSocketFrame(FrameCodec.encode(
                            new Frame(f.version(), Frame.SEND, null, null, null, token, fields), ctx.alloc())));
                    unflushed = true;
                }
                case Frame.SENDACK -> {
                    CompletableFuture<Frame> ack = f.flag() == null ? null : pending.remove(f.flag());
                    if (ack != null) {
                        ack.complete(f);
                    }
                }
                default -> {
                    // nothing else comes from a server
                }
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (unflushed) {
                unflushed = false;
                ctx.flush();
            }
            ctx.fireChannelReadComplete();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            fail(new IllegalStateException("connection ended"));
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(cause);
            ctx.close();
        }

        private void fail(Throwable cause) {
            connected.completeExceptionally(cause);
            pending.values().forEach(p -> p.completeExceptionally(cause));
            pending.clear();
        }
    }

    /** The CONNECT signature: upper(hex(md5(secret + "app_key"… "group_name"… "timestamp"… + secret))). */
    static String sign(String secret, String appKey, String group, String timestamp) {
        try {
            byte[] md5 = MessageDigest.getInstance("MD5").digest((secret + "app_key" + appKey + "group_name" + group
                    + "timestamp" + timestamp + secret).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().withUpperCase().formatHex(md5);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

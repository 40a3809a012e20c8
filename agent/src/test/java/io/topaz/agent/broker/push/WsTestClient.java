package io.topaz.agent.broker.push;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
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
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client speaking the push protocol byte for byte: frames to send are built with {@link SpecBytes},
 * frames received are read with {@link SpecReader}. Sees everything the server sends — binary frames, pongs, close
 * frames — in order, then the end of the connection.
 */
final class WsTestClient implements AutoCloseable {

    /** A close frame from the server. */
    record Closed(int code, String reason) {
    }

    /** A pong from the server (the protocol says there are none). */
    record Pong() {
    }

    /** The TCP connection ended. */
    record Ended() {
    }

    private static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    private final BlockingQueue<Object> source;
    private final Channel channel;

    private WsTestClient(Channel channel, BlockingQueue<Object> received) {
        this.channel = channel;
        this.source = received;
    }

    static WsTestClient open(int port) throws Exception {
        return open(port, 0);
    }

    /** @param receiveBuffer the socket's receive buffer in bytes (small for a slow reader), or 0 for the default */
    static WsTestClient open(int port, int receiveBuffer) throws Exception {
        return open(port, receiveBuffer, null);
    }

    /** A {@code wss://} client trusting what {@code tls} trusts (and checking the name 127.0.0.1). */
    static WsTestClient openTls(int port, io.netty.handler.ssl.SslContext tls) throws Exception {
        return open(port, 0, tls);
    }

    private static WsTestClient open(int port, int receiveBuffer, io.netty.handler.ssl.SslContext tls)
            throws Exception {
        CompletableFuture<Void> handshaken = new CompletableFuture<>();
        BlockingQueue<Object> received = new LinkedBlockingQueue<>();
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(URI.create((tls == null ? "ws" : "wss") + "://127.0.0.1:" + port + "/"))
                .handleCloseFrames(false)
                .dropPongFrames(false)
                .maxFramePayloadLength(8 * 1024 * 1024)
                .build();
        Bootstrap bootstrap = new Bootstrap().group(GROUP).channel(NioSocketChannel.class);
        if (receiveBuffer > 0) {
            bootstrap.option(io.netty.channel.ChannelOption.SO_RCVBUF, receiveBuffer);
        }
        Channel ch = bootstrap
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(), "127.0.0.1", port));
                        }
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65536),
                                new WebSocketClientProtocolHandler(config),
                                new SimpleChannelInboundHandler<WebSocketFrame>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame f) {
                                        if (f instanceof BinaryWebSocketFrame) {
                                            received.add(ByteBufUtil.getBytes(f.content()));
                                        } else if (f instanceof CloseWebSocketFrame c) {
                                            received.add(new Closed(c.statusCode(), c.reasonText()));
                                        } else if (f instanceof PongWebSocketFrame) {
                                            received.add(new Pong());
                                        } else if (f instanceof TextWebSocketFrame t) {
                                            received.add(t.text());
                                        }
                                    }

                                    @Override
                                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                        if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent
                                                .HANDSHAKE_COMPLETE) {
                                            handshaken.complete(null);
                                        }
                                        ctx.fireUserEventTriggered(evt);
                                    }

                                    @Override
                                    public void channelInactive(ChannelHandlerContext ctx) {
                                        received.add(new Ended());
                                        handshaken.completeExceptionally(new IllegalStateException("closed"));
                                    }
                                });
                    }
                }).connect("127.0.0.1", port).sync().channel();
        handshaken.get(10, TimeUnit.SECONDS);
        return new WsTestClient(ch, received);
    }

    void send(byte[] frame) throws InterruptedException {
        channel.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(frame))).sync();
    }

    void sendText(String text) throws InterruptedException {
        channel.writeAndFlush(new TextWebSocketFrame(text)).sync();
    }

    void ping() throws InterruptedException {
        channel.writeAndFlush(new PingWebSocketFrame(Unpooled.wrappedBuffer(new byte[]{1, 2}))).sync();
    }

    /** The next thing the server sent (or the end of the connection), within 10 s. */
    Object next() throws InterruptedException {
        Object o = source.poll(10, TimeUnit.SECONDS);
        if (o == null) {
            throw new AssertionError("nothing from the server within 10 s");
        }
        return o;
    }

    /** What the server sent next if anything is there now, else null. */
    Object poll() {
        return source.poll();
    }

    /** The next frame, which must be a binary protocol frame, read per the spec. */
    /** The next binary frame's payload, as received. */
    byte[] rawFrame() throws InterruptedException {
        Object o = next();
        if (!(o instanceof byte[] b)) {
            throw new AssertionError("expected a binary frame, got " + o);
        }
        return b;
    }

    SpecReader.Reply frame() throws InterruptedException {
        Object o = next();
        if (!(o instanceof byte[] b)) {
            throw new AssertionError("expected a binary frame, got " + o);
        }
        return SpecReader.read(b);
    }

    /** The next thing, which must be a close frame. */
    Closed closed() throws InterruptedException {
        Object o = next();
        if (!(o instanceof Closed c)) {
            throw new AssertionError("expected a close frame, got " + (o instanceof byte[] b
                    ? SpecReader.read(b) : o));
        }
        return c;
    }

    /** Waits until the TCP connection ends, skipping what comes before. */
    void awaitEnd() throws InterruptedException {
        while (!(next() instanceof Ended)) {
            // skip
        }
    }

    /** Stops reading from the socket (a consumer that has stopped reading). */
    void pause() {
        channel.config().setAutoRead(false);
    }

    /** Reads again. */
    void resume() {
        channel.config().setAutoRead(true);
        channel.read();
    }

    boolean isOpen() {
        return channel.isActive();
    }

    /** The CONNECT signature, computed here from the spec's formula. */
    static String sign(String secret, String appKey, String group, String timestamp) throws Exception {
        byte[] md5 = MessageDigest.getInstance("MD5").digest((secret + "app_key" + appKey + "group_name" + group
                + "timestamp" + timestamp + secret).getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().withUpperCase().formatHex(md5);
    }

    /** A CONNECT as TOP's Java client sends it (version 2), signed with {@code secret}. */
    static byte[] connect(int flag, String appKey, String group, long timestamp, String secret) throws Exception {
        String ts = Long.toString(timestamp);
        return SpecBytes.frame(2, 0).flag(flag)
                .stringField("app_key", appKey)
                .stringField("group_name", group)
                .stringField("timestamp", ts)
                .stringField("sign", sign(secret, appKey, group, ts))
                .stringField("sdk", "top-sdk-java-test")
                .stringField("intranet_ip", "10.0.0.1")
                .end();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }
}

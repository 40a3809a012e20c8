package io.topaz.agent.broker.push;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import io.topaz.agent.broker.BrokerMessage;
import io.topaz.agent.broker.QueueName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One push WebSocket connection (docs/tmc-protocol.md, "Push: WebSocket, binary frames"), confined to its event
 * loop: every field is touched only there, and every future's outcome comes back to it before it changes anything.
 * This class is the frame handling — Netty's events, the state machine, the frames' order and tokens, closing with a
 * reason; the CONNECT's checks are {@link Handshake}'s, the pushes and answers {@link PushWriter}'s (with the flow
 * window in {@link InFlightWindow}), publish frames {@link Publisher}'s.
 *
 * <pre>
 * OPEN ──CONNECT──▶ AUTHENTICATING ──checks pass──▶ CONNECTED (CONNECTACK with flag and token; push starts)
 *                                 └─checks fail──▶ CONNECTACK 400/401/403/503 + phrase, close 1008
 * </pre>
 */
final class PushConnection extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(PushConnection.class);
    /** Client SEND {@code __kind}s. */
    static final int KIND_PULL = 1;
    static final int KIND_CONFIRM = 2;
    static final int KIND_DATA = PushWriter.KIND_DATA;
    static final int KIND_FAILED = 20;
    private static final int INTERNAL_ERROR = 1011;
    /** A close frame the client does not read does not hold the connection open longer than this. */
    private static final long CLOSE_GRACE_MILLIS = 5_000;

    private enum State { HTTP, OPEN, AUTHENTICATING, CONNECTED, CLOSED }

    private final PushServer server;
    private ChannelHandlerContext ctx;
    private State state = State.HTTP;
    private boolean counted;
    private int version = 2;
    private String token;
    private volatile PushWriter writer;
    private final String id;
    private volatile long connectedAtMillis;
    private Publisher publisher;
    private ScheduledFuture<?> connectTimer;
    private ScheduledFuture<?> slowTimer;

    PushConnection(PushServer server) {
        this.server = server;
        this.id = server.nextConnectionId();
    }

    /** This connection's id on this agent, as operators see it (never its token). */
    String id() {
        return id;
    }

    /** What an operator sees of this connection now; null before its CONNECT was accepted. */
    PushConnectionInfo info() {
        PushWriter w = writer;
        if (w == null) {
            return null;
        }
        java.net.SocketAddress remote = ctx.channel().remoteAddress();
        return new PushConnectionInfo(id, w.queue().appKey(), w.queue().group(),
                remote == null ? null : remote.toString(), connectedAtMillis, w.inFlight(), w.pushedCount(),
                w.confirmedCount());
    }

    /** Closes this connection for {@code reason} (any thread); its unconfirmed messages go back to its queue. */
    void disconnect(int code, String reason) {
        ctx.executor().execute(() -> close(code, reason));
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    // --- Netty events ---------------------------------------------------------------------------------------

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            upgraded();
        } else if (evt instanceof IdleStateEvent && state != State.HTTP) {
            close(FrameException.NORMAL, "idle for " + server.settings().idleTimeout().toSeconds()
                    + " s: no frame, not even a ping");
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof WebSocketFrame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (state == State.CLOSED) {
                return;
            }
            if (frame instanceof TextWebSocketFrame) {
                throw new FrameException(FrameException.UNSUPPORTED_DATA, "text frames are not served: every "
                        + "protocol message is one binary frame");
            }
            if (frame instanceof BinaryWebSocketFrame) {
                onFrame(FrameCodec.decode(frame.content()));
            }
            // pongs and anything else: nothing to do
        } catch (FrameException e) {
            close(e.closeCode(), e.getMessage());
        } finally {
            frame.release();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            if (slowTimer != null) {
                slowTimer.cancel(false);
                slowTimer = null;
            }
            if (writer != null && state == State.CONNECTED) {
                writer.fill();
            }
        } else if (state == State.CONNECTED && slowTimer == null) {
            long after = server.settings().slowConsumerTimeout().toMillis();
            slowTimer = ctx.executor().schedule(() -> {
                slowTimer = null;
                if (state == State.CONNECTED && !ctx.channel().isWritable()) {
                    server.metrics().slowClosed();
                    // the close frame waits behind what the client does not read: the connection ends regardless
                    close(FrameException.POLICY_VIOLATION, "consumer too slow: it read nothing for " + after / 1000.0
                            + " s while pushes waited; its messages stay queued", after);
                }
            }, after, TimeUnit.MILLISECONDS);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (state == State.HTTP) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        if (cause instanceof TooLongFrameException || (cause instanceof CorruptedWebSocketFrameException c
                && c.closeStatus() != null && c.closeStatus().code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code())) {
            close(FrameException.TOO_BIG, "frame over the limit of " + server.settings().maxFrameBytes() + " bytes");
        } else if (cause instanceof CorruptedFrameException) {
            close(FrameException.PROTOCOL_ERROR, "malformed WebSocket frame");
        } else {
            log.debug("push connection failed", cause);
            close(INTERNAL_ERROR, "internal error");
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (counted) {
            counted = false;
            server.connectionCount().decrementAndGet();
        }
        state = State.CLOSED;
        if (connectTimer != null) {
            connectTimer.cancel(false);
        }
        if (slowTimer != null) {
            slowTimer.cancel(false);
        }
        if (writer != null) {
            writer.stop(); // before unregistering: a graceful stop waits for both
            server.unregister(writer.queue(), writer);
            server.ended(this);
            server.metrics().disconnected(writer.queue());
        }
        ctx.fireChannelInactive();
    }

    private void upgraded() {
        state = State.OPEN;
        counted = true;
        server.connectionCount().incrementAndGet();
        var p = ctx.pipeline();
        IdleStateHandler old = p.get(IdleStateHandler.class);
        if (old != null) {
            p.remove(old);
        }
        p.addBefore("push-no-pong", "push-idle", new IdleStateHandler(server.settings().idleTimeout().toMillis(), 0,
                0, TimeUnit.MILLISECONDS));
        connectTimer = ctx.executor().schedule(() -> {
            if (state == State.OPEN || state == State.AUTHENTICATING) {
                close(FrameException.POLICY_VIOLATION, "not connected within "
                        + server.settings().connectTimeout().toSeconds() + " s: send a CONNECT first");
            }
        }, server.settings().connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    // --- frames ---------------------------------------------------------------------------------------------

    private void onFrame(Frame f) {
        switch (state) {
            case OPEN -> {
                if (f.messageType() != Frame.CONNECT) {
                    throw policy("the first frame must be a CONNECT");
                }
                version = f.version();
                state = State.AUTHENTICATING;
                authenticate(f);
            }
            case AUTHENTICATING -> throw policy("a frame before the CONNECTACK");
            case CONNECTED -> connected(f);
            default -> { }
        }
    }

    private void connected(Frame f) {
        if (f.messageType() == Frame.CONNECT) {
            throw policy("a second CONNECT");
        }
        if (f.messageType() == Frame.CONNECTACK) {
            throw policy("CONNECTACK is the server's to send");
        }
        if (f.token() != null && !f.token().equals(token)) {
            throw policy("a frame whose token is not this connection's");
        }
        Long kind = f.number("__kind");
        if (kind == null) {
            throw FrameException.malformed("a SEND without __kind");
        }
        switch (kind.intValue()) {
            case KIND_PULL -> writer.pull();
            case KIND_CONFIRM -> writer.answered(id(f), false);
            case KIND_FAILED -> writer.answered(id(f), true);
            case KIND_DATA -> publisher.publish(f);
            default -> throw FrameException.malformed("unknown __kind " + kind);
        }
    }

    private static long id(Frame f) {
        Long id = f.number("id");
        if (id == null || id <= 0 || id > BrokerMessage.MAX_ID) {
            throw FrameException.malformed("a confirm needs a message id (int64 field id)");
        }
        return id;
    }

    // --- CONNECT --------------------------------------------------------------------------------------------

    private void authenticate(Frame f) {
        Integer flag = f.flag();
        server.handshake().check(f).whenComplete((v, err) -> ctx.executor().execute(() -> {
            if (state != State.AUTHENTICATING) {
                return;
            }
            if (err != null) { // check never fails; kept for safety
                refuse(flag, new Handshake.Refusal(503, "app data cannot be read now; retry later"));
            } else if (v.refusal() != null) {
                refuse(flag, v.refusal());
            } else {
                accept(flag, v.queue());
            }
        }));
    }

    private void refuse(Integer flag, Handshake.Refusal r) {
        state = State.CLOSED;
        ctx.write(binary(new Frame(version, Frame.CONNECTACK, r.status(), r.phrase(), flag, null, Map.of()),
                ctx.alloc()));
        ctx.writeAndFlush(new CloseWebSocketFrame(FrameException.POLICY_VIOLATION, reason(r.phrase())))
                .addListener(ChannelFutureListener.CLOSE);
        ctx.executor().schedule(() -> ctx.close(), CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void accept(Integer flag, QueueName q) {
        token = server.newToken();
        state = State.CONNECTED;
        writer = new PushWriter(server, ctx, q, version, token);
        publisher = new Publisher(server, ctx, version, token, q.appKey(), () -> state == State.CONNECTED);
        connectedAtMillis = server.clock().millis();
        server.register(q, writer);
        server.connected(this);
        server.metrics().connected(q);
        if (connectTimer != null) {
            connectTimer.cancel(false);
        }
        ctx.writeAndFlush(binary(new Frame(version, Frame.CONNECTACK, null, null, flag, token, Map.of()),
                ctx.alloc()));
        writer.fill();
    }

    // --- plumbing -------------------------------------------------------------------------------------------

    /** A frame as one binary WebSocket frame. */
    static BinaryWebSocketFrame binary(Frame f, ByteBufAllocator alloc) {
        return new BinaryWebSocketFrame(FrameCodec.encode(f, alloc));
    }

    private void close(int code, String reason) {
        close(code, reason, CLOSE_GRACE_MILLIS);
    }

    /** Sends a close frame, closes once it is written, and at the latest after {@code graceMillis}. */
    private void close(int code, String reason, long graceMillis) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        if (writer != null) {
            writer.stop(); // its unconfirmed messages go back now, not when the client finally lets go
            server.unregister(writer.queue(), writer);
            server.ended(this); // no longer listed for operators, nor waited for by a graceful stop
        }
        if (ctx.channel().isActive()) {
            ctx.writeAndFlush(new CloseWebSocketFrame(code, reason(reason))).addListener(ChannelFutureListener.CLOSE);
            ctx.executor().schedule(() -> ctx.close(), graceMillis, TimeUnit.MILLISECONDS);
        }
    }

    private static FrameException policy(String why) {
        return new FrameException(FrameException.POLICY_VIOLATION, why);
    }

    /** A close reason fits in 123 bytes of UTF-8. */
    static String reason(String s) {
        String r = s;
        while (r.getBytes(StandardCharsets.UTF_8).length > 123) {
            r = r.substring(0, r.length() - 2) + "…";
        }
        return r;
    }
}

package io.topaz.agent.broker.push;

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
import io.topaz.agent.broker.Delivery;
import io.topaz.agent.broker.QueueName;
import io.topaz.agent.gateway.TopError;
import io.topaz.agent.metadata.TieredCache;
import io.topaz.agent.tmc.TmcApis;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.Subscription;
import io.topaz.model.metadata.AppMetadata;
import io.topaz.model.metadata.TmcGroups;
import io.topaz.model.metadata.TmcUser;
import io.topaz.model.top.SignMethod;
import io.topaz.model.top.TopSigner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * One push WebSocket connection (docs/tmc-protocol.md, "Push: WebSocket, binary frames"), confined to its event
 * loop: every field is touched only there, and every future's outcome comes back to it before it changes anything.
 *
 * <pre>
 * OPEN ──CONNECT──▶ AUTHENTICATING ──checks pass──▶ CONNECTED (CONNECTACK with flag and token; push starts)
 *                                 └─checks fail──▶ CONNECTACK 400/401/403/503 + phrase, close 1008
 * </pre>
 *
 * <p><b>Push.</b> The connection's window is a {@link FlowWindow}: sized from its measured confirmation rate, at
 * most {@code PushSettings.window}. The connection's queue is {@code QueueName(app_key, group_name)}; it is consumed
 * through the
 * {@link io.topaz.agent.broker.Broker} — at this agent when it owns the queue, else at the owner over the agents'
 * broker port ({@code ClusterBroker} forwards), so a consumer may connect to any agent. The writer asks the owner for
 * at most the free part of the window (messages pushed and not confirmed), writes each as a SEND, and asks again when
 * a confirm opens the window, when the channel becomes writable again after Netty's high-water mark paused it, on a
 * pull request, when a message is stored in its queue on this agent ({@link PushServer#stored}), and every
 * {@code pollInterval} while the last answer was short (messages stored at another owner, due redeliveries).
 * Several connections of one group each consume from the same queue: the owner hands each message to one of them.
 *
 * <p><b>Confirmation.</b> {@code __kind} 2 confirms an id, {@code __kind} 20 reports it failed (delivered again after
 * the queue's failure backoff); both go to {@code Broker.confirm} of the connection's queue only. When the connection
 * ends, its unconfirmed messages are reported failed at once, so they are not hidden until the redelivery timeout;
 * if that report cannot reach the owner they come back after the timeout as any unconfirmed message does.
 */
final class PushConnection extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(PushConnection.class);
    private static final Pattern GROUP = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,31}");
    private static final Pattern MILLIS = Pattern.compile("[0-9]{1,18}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long[] NONE = new long[0];
    /** Client SEND {@code __kind}s (and the server's own, on pushes). */
    static final int KIND_PULL = 1;
    static final int KIND_CONFIRM = 2;
    static final int KIND_DATA = 3;
    static final int KIND_FAILED = 20;
    private static final int INTERNAL_ERROR = 1011;
    /** A close frame the client does not read does not hold the connection open longer than this. */
    private static final long CLOSE_GRACE_MILLIS = 5_000;

    private enum State { HTTP, OPEN, AUTHENTICATING, CONNECTED, CLOSED }

    /** Why a CONNECT is refused: the CONNECTACK's status and phrase. */
    private record Refusal(int status, String phrase) {
    }

    private final PushServer server;
    /** Pushed and not yet confirmed: id → when it was written (nanoTime). */
    private final Map<Long, Long> inFlight = new LinkedHashMap<>();
    private ChannelHandlerContext ctx;
    private State state = State.HTTP;
    private boolean counted;
    private int version = 2;
    private String token;
    private QueueName queue;
    private FlowWindow window;
    private boolean fetching;
    /** Asked to fill while a fetch was under way: ask again when it is answered, however short. */
    private boolean again;
    private final java.util.concurrent.atomic.AtomicBoolean wakePending = new java.util.concurrent.atomic.AtomicBoolean();
    private ScheduledFuture<?> poll;
    private ScheduledFuture<?> connectTimer;
    private ScheduledFuture<?> slowTimer;
    // operators' view (PushServer.connectionList); written on the event loop, read from any thread
    private final String id;
    private volatile long connectedAtMillis;
    private volatile long pushedCount;
    private volatile long confirmedCount;
    /** Reported failed by the client, or given back when the connection ended. */
    private volatile long failedOrReleasedCount;

    PushConnection(PushServer server) {
        this.server = server;
        this.id = server.nextConnectionId();
    }

    /** This connection's id on this agent, as operators see it (never its token). */
    String id() {
        return id;
    }

    /** What an operator sees of this connection now (only once connected: its queue is known). */
    PushConnectionInfo info() {
        java.net.SocketAddress remote = ctx.channel().remoteAddress();
        return new PushConnectionInfo(id, queue.appKey(), queue.group(), remote == null ? null : remote.toString(),
                connectedAtMillis, Math.max(0, pushedCount - confirmedCount - failedOrReleasedCount), pushedCount,
                confirmedCount);
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
            fill();
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
        cancelPoll();
        if (connectTimer != null) {
            connectTimer.cancel(false);
        }
        if (slowTimer != null) {
            slowTimer.cancel(false);
        }
        releaseInFlight(); // before unregistering: a graceful stop waits for both
        if (queue != null) {
            server.unregister(queue, this);
            server.metrics().disconnected(queue);
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
            case KIND_PULL -> {
                cancelPoll();
                fill();
            }
            case KIND_CONFIRM -> confirm(id(f), false);
            case KIND_FAILED -> confirm(id(f), true);
            case KIND_DATA -> publish(f);
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
        String appKey = f.string("app_key");
        String group = f.string("group_name");
        String timestamp = f.string("timestamp");
        String sign = f.string("sign");
        Refusal refused = null;
        if (appKey == null || group == null || timestamp == null || sign == null) {
            refused = new Refusal(400, "CONNECT needs the string fields app_key, group_name, timestamp and sign");
        } else if (!GROUP.matcher(group).matches()) {
            refused = new Refusal(400, "group_name must be 1 to 32 letters, digits, '.', '-' or '_'");
        } else if (!MILLIS.matcher(timestamp).matches()) {
            refused = new Refusal(400, "timestamp must be epoch milliseconds, as a string");
        } else {
            long skew = Math.abs(server.clock().millis() - Long.parseLong(timestamp));
            if (skew > server.settings().timestampWindow().toMillis()) {
                refused = new Refusal(401, "timestamp is " + skew / 1000 + " s from the server's clock; at most "
                        + server.settings().timestampWindow().toSeconds() + " s are accepted");
            }
        }
        Integer flag = f.flag();
        if (refused != null) {
            refuse(flag, refused);
            return;
        }
        CompletableFuture<Refusal> verdict;
        try {
            verdict = check(appKey, group, timestamp, sign);
        } catch (RuntimeException e) {
            verdict = CompletableFuture.failedFuture(e);
        }
        verdict.whenComplete((r, err) -> ctx.executor().execute(() -> {
            if (state != State.AUTHENTICATING) {
                return;
            }
            if (err != null) {
                refuse(flag, unavailable(err));
            } else if (r != null) {
                refuse(flag, r);
            } else {
                accept(flag, new QueueName(appKey, group));
            }
        }));
    }

    /** The checks of docs/tmc-protocol.md, "Connecting": null when the connection may consume the queue. */
    private CompletableFuture<Refusal> check(String appKey, String group, String timestamp, String sign) {
        return server.metadata().apps().get(appKey).thenCompose(found -> {
            if (found.isEmpty()) {
                return done(new Refusal(401, "unknown app key '" + abbreviate(appKey) + "'"));
            }
            AppMetadata app = found.get();
            Map<String, String> signed = new TreeMap<>();
            signed.put("app_key", appKey);
            signed.put("group_name", group);
            signed.put("timestamp", timestamp);
            boolean ok = false;
            for (String secret : app.secretsAcceptedAt(server.clock().millis())) {
                ok |= TopSigner.verify(signed, null, secret, SignMethod.MD5, sign);
            }
            if (!ok) {
                return done(new Refusal(401, "bad signature: sign = upper(hex(md5(secret + \"app_key\" + app_key + "
                        + "\"group_name\" + group_name + \"timestamp\" + timestamp + secret)))"));
            }
            if (!app.active()) {
                return done(new Refusal(403, "app '" + appKey + "' is disabled"));
            }
            if (!app.mayCall(TmcApis.GROUP)) {
                return done(new Refusal(403, "app '" + appKey + "' is not permitted the API group '"
                        + TmcApis.GROUP + "'"));
            }
            ConfigSnapshot config = server.config();
            Subscription sub = config.subscriptions().get(appKey);
            if (sub == null || sub.topics().isEmpty()) {
                return done(new Refusal(403, "app '" + appKey + "' subscribes to no topic"));
            }
            if (TmcUser.DEFAULT_GROUP.equals(group)) {
                return done(null);
            }
            return server.metadata().tmcGroups().get(appKey).thenApply(g ->
                    g.map(TmcGroups::groups).orElse(List.of()).contains(group) ? null
                            : new Refusal(403, "app '" + appKey + "' has no consumer group '" + group
                            + "' (create it with taobao.tmc.group.add)"));
        });
    }

    private static Refusal unavailable(Throwable err) {
        Throwable c = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        if (!(c instanceof TieredCache.UnavailableException)) {
            log.warn("checking a push CONNECT failed", c);
        }
        return new Refusal(503, "app data cannot be read now; retry later");
    }

    private void refuse(Integer flag, Refusal r) {
        state = State.CLOSED;
        write(new Frame(version, Frame.CONNECTACK, r.status(), r.phrase(), flag, null, Map.of()));
        ctx.writeAndFlush(new CloseWebSocketFrame(FrameException.POLICY_VIOLATION, reason(r.phrase())))
                .addListener(ChannelFutureListener.CLOSE);
        ctx.executor().schedule(() -> ctx.close(), CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void accept(Integer flag, QueueName q) {
        byte[] random = new byte[16];
        RANDOM.nextBytes(random);
        token = HexFormat.of().formatHex(random);
        queue = q;
        window = FlowWindow.forMax(server.settings().window(), System.nanoTime());
        state = State.CONNECTED;
        connectedAtMillis = server.clock().millis();
        server.register(q, this);
        server.metrics().connected(q);
        if (connectTimer != null) {
            connectTimer.cancel(false);
        }
        write(new Frame(version, Frame.CONNECTACK, null, null, flag, token, Map.of()));
        ctx.flush();
        fill();
    }

    // --- push -----------------------------------------------------------------------------------------------

    /** Asks the queue's owner for as many messages as the window has room for, unless a request is under way. */
    private void fill() {
        if (state != State.CONNECTED) {
            return;
        }
        if (fetching) {
            again = true;
            return;
        }
        int room = window.size(inFlight.size(), System.nanoTime()) - inFlight.size();
        if (room <= 0 || !ctx.channel().isWritable()) {
            return;
        }
        cancelPoll();
        fetching = true;
        CompletableFuture<List<Delivery>> got;
        try {
            got = server.broker().consume(queue, room);
        } catch (RuntimeException e) {
            got = CompletableFuture.failedFuture(e);
        }
        got.whenComplete((list, err) -> ctx.executor().execute(() -> fetched(list, err, room)));
    }

    /** A message was stored in this connection's queue (any thread): fill on the event loop, once per burst. */
    void wake() {
        if (wakePending.compareAndSet(false, true)) {
            ctx.executor().execute(() -> {
                wakePending.set(false);
                fill();
            });
        }
    }

    private void fetched(List<Delivery> list, Throwable err, int asked) {
        fetching = false;
        boolean more = again;
        again = false;
        if (err != null) {
            log.debug("consuming {} for a push connection failed: {}", queue, err.toString());
            if (state == State.CONNECTED) {
                schedulePoll();
            }
            return;
        }
        if (state != State.CONNECTED || !ctx.channel().isActive()) {
            // the connection ended while the owner answered: give them back at once
            if (!list.isEmpty()) {
                server.broker().confirm(queue, NONE, list.stream().mapToLong(d -> d.message().id()).toArray());
            }
            return;
        }
        long now = server.clock().millis();
        long at = System.nanoTime();
        for (Delivery d : list) {
            inFlight.put(d.message().id(), at);
            write(send(d.message(), now));
        }
        server.metrics().pushed(list.size());
        pushedCount += list.size();
        if (!list.isEmpty()) {
            ctx.flush();
        }
        if (list.size() < asked && !more) {
            schedulePoll();
        } else {
            fill();
        }
    }

    /** The server's SEND of one message (docs/tmc-protocol.md, "Messages"). */
    private Frame send(BrokerMessage m, long now) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("__kind", (byte) KIND_DATA);
        fields.put("id", m.id());
        fields.put("topic", m.topic());
        fields.put("content", m.content());
        fields.put("time", Instant.ofEpochMilli(m.pubTimeMillis()));
        fields.put("outtime", Instant.ofEpochMilli(now));
        fields.put("publisher", m.publisher());
        fields.put("userid", m.userId());
        fields.put("nick", m.userNick());
        if (m.dataId() > 0) {
            fields.put("dataid", m.dataId());
        }
        return new Frame(version, Frame.SEND, null, null, null, token, fields);
    }

    private void confirm(long id, boolean failed) {
        Long pushedAt = inFlight.remove(id);
        if (pushedAt != null) {
            if (failed) {
                server.metrics().failed();
                failedOrReleasedCount++;
            } else {
                confirmedCount++;
                long now = System.nanoTime();
                server.metrics().confirmed(pushedAt, now);
                window.confirmed(now);
            }
        }
        long[] one = {id};
        CompletableFuture<?> done;
        try {
            done = server.broker().confirm(queue, failed ? NONE : one, failed ? one : NONE);
        } catch (RuntimeException e) {
            done = CompletableFuture.failedFuture(e);
        }
        done.whenComplete((o, err) -> {
            if (err != null) { // the owner keeps it in flight: it comes back after the redelivery timeout
                log.debug("confirming {} of {} failed: {}", id, queue, err.toString());
            }
        });
        fill();
    }

    /** Unconfirmed messages of a closed connection: failed, so the group's other connections get them soon. */
    private void releaseInFlight() {
        if (queue == null || inFlight.isEmpty()) {
            return;
        }
        long[] ids = inFlight.keySet().stream().mapToLong(Long::longValue).toArray();
        inFlight.clear();
        server.metrics().released(ids.length);
        failedOrReleasedCount += ids.length;
        try {
            server.releasing(server.broker().confirm(queue, NONE, ids).whenComplete((o, err) -> {
                if (err != null) {
                    log.debug("releasing {} unconfirmed messages of {} failed: {}", ids.length, queue, err.toString());
                }
            }));
        } catch (RuntimeException e) {
            log.debug("releasing unconfirmed messages of {} failed", queue, e);
        }
    }

    private void schedulePoll() {
        if (poll == null && state == State.CONNECTED) {
            poll = ctx.executor().schedule(() -> {
                poll = null;
                fill();
            }, server.settings().pollInterval().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void cancelPoll() {
        if (poll != null) {
            poll.cancel(false);
            poll = null;
        }
    }

    // --- publish --------------------------------------------------------------------------------------------

    /** {@code __kind} 3: produced as {@code taobao.tmc.message.produce} by the connection's app; SENDACK. */
    private void publish(Frame f) {
        Integer flag = f.flag();
        TmcApis tmc = server.tmc();
        if (tmc == null) {
            write(sendAck(flag, 503, "publishing is not served on this agent", null));
            ctx.flush();
            return;
        }
        CompletableFuture<TmcApis.Produced> produced;
        try {
            produced = tmc.produce(server.config(), queue.appKey(), f.string("topic"), f.string("content"));
        } catch (RuntimeException e) {
            produced = CompletableFuture.failedFuture(e);
        }
        produced.whenComplete((p, err) -> ctx.executor().execute(() -> {
            if (state != State.CONNECTED) {
                return;
            }
            Frame ack;
            if (err != null) {
                log.warn("a push publish failed", err);
                ack = sendAck(flag, 500, "internal error; retry later", null);
            } else if (p.error() != null) {
                TopError e = p.error();
                ack = sendAck(flag, status(e), e.subCode() + ": " + e.subMsg(), null);
            } else {
                ack = sendAck(flag, null, null, p.msgId());
            }
            write(ack);
            ctx.flush();
        }));
    }

    private Frame sendAck(Integer flag, Integer status, String phrase, Long id) {
        Map<String, Object> fields = id == null ? Map.of() : Map.of("id", id);
        return new Frame(version, Frame.SENDACK, status, phrase, flag, token, fields);
    }

    /** A produce's TOP error as a SENDACK status: 503 retry later, 429 overloaded, 403 not a producer, else 400. */
    static int status(TopError e) {
        if (e.code() == 7) {
            return 429;
        }
        if (e.platformSide()) {
            return 503;
        }
        return e.code() == 11 ? 403 : 400;
    }

    // --- plumbing -------------------------------------------------------------------------------------------

    private void write(Frame f) {
        ctx.write(new BinaryWebSocketFrame(FrameCodec.encode(f, ctx.alloc())));
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
        cancelPoll();
        if (ctx.channel().isActive()) {
            ctx.writeAndFlush(new CloseWebSocketFrame(code, reason(reason))).addListener(ChannelFutureListener.CLOSE);
            ctx.executor().schedule(() -> ctx.close(), graceMillis, TimeUnit.MILLISECONDS);
        }
    }

    private static FrameException policy(String why) {
        return new FrameException(FrameException.POLICY_VIOLATION, why);
    }

    private static CompletableFuture<Refusal> done(Refusal r) {
        return CompletableFuture.completedFuture(r);
    }

    /** A close reason fits in 123 bytes of UTF-8. */
    static String reason(String s) {
        String r = s;
        while (r.getBytes(StandardCharsets.UTF_8).length > 123) {
            r = r.substring(0, r.length() - 2) + "…";
        }
        return r;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}

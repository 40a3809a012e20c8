package io.topaz.agent.broker.cluster;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.topaz.agent.broker.BrokerException;
import io.topaz.agent.broker.DeadLetter;
import io.topaz.agent.broker.DeadLetterQuery;
import io.topaz.agent.broker.LocalQueues;
import io.topaz.agent.broker.PublishHandler;
import io.topaz.agent.broker.QueueStats;
import io.topaz.agent.broker.push.PushServer;
import io.topaz.agent.net.Transport;
import io.topaz.model.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;

import java.io.Closeable;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The broker port: the internal HTTP API under {@code /internal/v1/} (docs/tmc-protocol.md, "The broker port's
 * internal API") for other agents, the control plane and platform services. Every request carries a control-plane
 * bearer token, checked through {@link ControlPlaneAuth}: none or unknown is 401, a role the route does not admit
 * 403; bad input 400 {@code {"error"}}; an unavailable or overloaded broker 503 {@code {"error", "kind"}}. Never a
 * stack trace. Requests are bounded ({@code maxBodyBytes}; beyond it 413 and the connection closes).
 *
 * <p>The pipeline is HTTP codec → idle timeout → aggregator → {@link #pipelineTail} hook → the API handler: the push
 * WebSocket (part 2) adds its upgrade handler on the same port through that hook, before the API handler.
 */
public final class BrokerServer implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(BrokerServer.class);
    private static final Set<String> AGENT = Set.of("AGENT");
    private static final Set<String> PUBLISHERS = Set.of("PUBLISHER", "AGENT");

    /** An error answer; {@code kind} only on 503. */
    public record ErrorBody(String error, String kind) {
    }

    /** One answer: status and JSON body. */
    record Reply(int status, byte[] body) {
        static Reply ok(Object body) {
            return new Reply(200, body instanceof byte[] b ? b : Json.write(body));
        }
    }

    /** A request as a route sees it: the caller, the hop count, the body (copied) and the query. */
    record Request(ControlPlaneAuth.Caller caller, int hops, byte[] body, QueryStringDecoder query) {
    }

    private record Route(Set<String> roles, Function<Request, CompletableFuture<Reply>> handler) {
    }

    private final ClusterBroker broker;
    private final LocalQueues local;
    private final ControlPlaneAuth auth;
    private final Executor localExecutor;
    private final int maxBodyBytes;
    private final long idleMillis;
    private final AtomicReference<PublishHandler> publisher = new AtomicReference<>();
    private final AtomicReference<PushServer> push = new AtomicReference<>();
    private final Map<String, Route> routes = new LinkedHashMap<>();
    private volatile java.util.function.Consumer<ChannelPipeline> pipelineTail = p -> { };
    private Channel channel;
    private SslContext tls;

    public BrokerServer(ClusterBroker broker, ControlPlaneAuth auth, Executor localExecutor, int maxBodyBytes,
                        long idleMillis) {
        this.broker = broker;
        this.local = broker.local();
        this.auth = auth;
        this.localExecutor = localExecutor;
        this.maxBodyBytes = maxBodyBytes;
        this.idleMillis = idleMillis;
        routes.put("POST /internal/v1/publish", new Route(PUBLISHERS, this::publish));
        routes.put("POST /internal/v1/store", new Route(AGENT, this::store));
        routes.put("POST /internal/v1/handoff", new Route(AGENT, this::handoff));
        routes.put("POST /internal/v1/consume", new Route(AGENT, this::consume));
        routes.put("POST /internal/v1/confirm", new Route(AGENT, this::confirm));
        routes.put("GET /internal/v1/queues", new Route(AGENT, this::queues));
        routes.put("GET /internal/v1/dead-letters", new Route(AGENT, this::deadLetters));
        routes.put("POST /internal/v1/dead-letters/replay", new Route(AGENT, this::replay));
        routes.put("POST /internal/v1/dead-letters/purge", new Route(AGENT, this::purge));
        routes.put("GET /internal/v1/connections", new Route(AGENT, this::connections));
        routes.put("POST /internal/v1/connections/disconnect", new Route(AGENT, this::disconnect));
    }

    /** The push WebSocket served on this port, whose connections {@code /internal/v1/connections} lists. */
    public void push(PushServer server) {
        push.set(server);
    }

    /** Who serves {@code POST /internal/v1/publish}; until set it answers 503 "publishing not configured". */
    public void publishHandler(PublishHandler handler) {
        publisher.set(handler);
    }

    /** Handlers to add before the internal API's handler on each new connection (the push WebSocket, part 2). */
    public void pipelineTail(java.util.function.Consumer<ChannelPipeline> tail) {
        this.pipelineTail = tail;
    }

    /** Serve {@code wss://} and https with {@code context} (before {@link #start}); without it the port is plain. */
    public BrokerServer tls(SslContext context) {
        this.tls = context;
        return this;
    }

    /** Binds on {@code group} (boss and workers both; the caller owns the group) and returns the bound port. */
    public int start(String host, int port, EventLoopGroup group, Transport transport) throws InterruptedException {
        ApiHandler api = new ApiHandler();
        ServerBootstrap b = new ServerBootstrap().group(group).channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline p = ch.pipeline();
                        if (tls != null) {
                            p.addLast("tls", tls.newHandler(ch.alloc()));
                        }
                        p.addLast(new HttpServerCodec(8192, 16 * 1024, 64 * 1024))
                                .addLast(new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS))
                                .addLast(new HttpObjectAggregator(maxBodyBytes));
                        pipelineTail.accept(p);
                        p.addLast(api);
                    }
                });
        try {
            channel = b.bind(new InetSocketAddress(host, port)).sync().channel();
        } catch (Exception e) {
            throw new IllegalStateException("cannot listen on broker port " + host + ":" + port + ": " + e.getMessage(), e);
        }
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    // --- routes -------------------------------------------------------------------------------------------------

    private CompletableFuture<Reply> publish(Request r) {
        PublishHandler h = publisher.get();
        if (h == null) {
            return CompletableFuture.failedFuture(new BrokerException(BrokerException.Kind.UNAVAILABLE,
                    "publishing not configured on this agent"));
        }
        return h.publish(r.caller().name(), r.body()).thenApply(Reply::ok);
    }

    private CompletableFuture<Reply> store(Request r) {
        Wire.StoreRequest s = Json.read(r.body(), Wire.StoreRequest.class);
        return broker.store(s.message(), s.queueNames(), r.hops()).thenApply(v -> Reply.ok(Map.of()));
    }

    private CompletableFuture<Reply> handoff(Request r) {
        Wire.HandoffRequest h = Json.read(r.body(), Wire.HandoffRequest.class);
        return broker.handoffIn(h.queueName(), h.messages(), r.hops()).thenApply(v -> Reply.ok(Map.of()));
    }

    private CompletableFuture<Reply> consume(Request r) {
        Wire.ConsumeRequest c = Json.read(r.body(), Wire.ConsumeRequest.class);
        return broker.consume(c.queueName(), c.max(), r.hops())
                .thenApply(d -> Reply.ok(new Wire.ConsumeAnswer(d)));
    }

    private CompletableFuture<Reply> confirm(Request r) {
        Wire.ConfirmRequest c = Json.read(r.body(), Wire.ConfirmRequest.class);
        return broker.confirm(c.queueName(), c.confirmedOrEmpty(), c.failedOrEmpty(), r.hops()).thenApply(Reply::ok);
    }

    private CompletableFuture<Reply> queues(Request r) {
        return CompletableFuture.supplyAsync(() -> {
            List<Map<String, Object>> items = new ArrayList<>();
            for (QueueStats s : local.stats()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("queue", s.queue().key());
                m.put("backlog", s.backlog());
                m.put("inFlight", s.inFlight());
                m.put("oldestUnconfirmedAgeMillis", s.oldestUnconfirmedAgeMillis());
                m.put("delivered", s.delivered());
                m.put("confirmed", s.confirmed());
                m.put("redelivered", s.redelivered());
                m.put("deadLettered", s.deadLettered());
                m.put("deadLetters", s.deadLetters());
                items.add(m);
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("agentId", broker.agentId());
            answer.put("queues", items);
            return Reply.ok(answer);
        }, localExecutor);
    }

    private CompletableFuture<Reply> connections(Request r) {
        PushServer p = push.get();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("agentId", broker.agentId());
        answer.put("connections", p == null ? List.of() : p.connectionList());
        return CompletableFuture.completedFuture(Reply.ok(answer));
    }

    private CompletableFuture<Reply> disconnect(Request r) {
        Wire.Disconnect d = Json.read(r.body(), Wire.Disconnect.class);
        if (d.id() == null || d.id().isBlank()) {
            throw new IllegalArgumentException("id: the connection's id is required");
        }
        PushServer p = push.get();
        String reason = "disconnected by an operator" + (d.by() == null || d.by().isBlank() ? "" : " (" + d.by() + ")")
                + "; unconfirmed messages will be delivered again";
        boolean done = p != null && p.disconnect(d.id(), reason);
        return CompletableFuture.completedFuture(Reply.ok(Map.of("disconnected", done)));
    }

    private CompletableFuture<Reply> deadLetters(Request r) {
        Map<String, List<String>> q = r.query().parameters();
        DeadLetterQuery query = new DeadLetterQuery(param(q, "app", null), param(q, "topic", null),
                number(q, "from", 0), number(q, "to", Long.MAX_VALUE), (int) number(q, "page", 0),
                (int) number(q, "size", 50));
        return CompletableFuture.supplyAsync(() -> {
            DeadLetterQuery.Page page = local.deadLetters(query);
            List<Map<String, Object>> items = new ArrayList<>();
            for (DeadLetter d : page.items()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("message", d.message());
                m.put("queue", d.queue().key());
                m.put("deadAtMillis", d.deadAtMillis());
                m.put("attempts", d.attempts());
                m.put("reason", d.reason());
                items.add(m);
            }
            return Reply.ok(Map.of("items", items, "total", page.total()));
        }, localExecutor);
    }

    private CompletableFuture<Reply> replay(Request r) {
        Wire.AppIds a = Json.read(r.body(), Wire.AppIds.class);
        List<Long> ids = a.validIds();
        return CompletableFuture.supplyAsync(() -> Reply.ok(Map.of("replayed", local.replay(a.app(), ids))),
                localExecutor);
    }

    private CompletableFuture<Reply> purge(Request r) {
        Wire.AppIds a = Json.read(r.body(), Wire.AppIds.class);
        List<Long> ids = a.validIds();
        return CompletableFuture.supplyAsync(() -> Reply.ok(Map.of("purged", local.purge(a.app(), ids))),
                localExecutor);
    }

    private static String param(Map<String, List<String>> q, String name, String fallback) {
        List<String> v = q.get(name);
        return v == null || v.isEmpty() || v.get(0).isEmpty() ? fallback : v.get(0);
    }

    private static long number(Map<String, List<String>> q, String name, long fallback) {
        String v = param(q, name, null);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, was '" + v + "'");
        }
    }

    // --- errors -------------------------------------------------------------------------------------------------

    static Reply error(Throwable t) {
        Throwable e = t;
        while ((e instanceof CompletionException || e instanceof java.util.concurrent.ExecutionException)
                && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof BrokerException b) {
            return switch (b.kind()) {
                case INVALID -> new Reply(400, Json.write(new ErrorBody(b.getMessage(), null)));
                case OVERLOADED, UNAVAILABLE -> new Reply(503, Json.write(new ErrorBody(b.getMessage(), b.kind().name())));
                case INTERNAL -> {
                    log.warn("broker request failed: {}", b.toString(), b.getCause());
                    yield new Reply(500, Json.write(new ErrorBody("internal error: " + b.getMessage(), null)));
                }
            };
        }
        if (e instanceof JacksonException j) {
            return new Reply(400, Json.write(new ErrorBody("bad JSON: " + j.getOriginalMessage(), null)));
        }
        if (e instanceof IllegalArgumentException) {
            return new Reply(400, Json.write(new ErrorBody(e.getMessage(), null)));
        }
        log.warn("broker request failed", e);
        return new Reply(500, Json.write(new ErrorBody("internal error", null)));
    }

    private static Reply refuse(int status, String why) {
        return new Reply(status, Json.write(new ErrorBody(why, null)));
    }

    @ChannelHandler.Sharable
    private final class ApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            if (!req.decoderResult().isSuccess()) {
                write(ctx, refuse(400, "malformed HTTP request"), false);
                return;
            }
            QueryStringDecoder uri = new QueryStringDecoder(req.uri());
            Route route = routes.get(req.method().name() + " " + uri.path());
            if (route == null) {
                boolean known = routes.keySet().stream().anyMatch(k -> k.endsWith(" " + uri.path()));
                write(ctx, known ? refuse(405, "method not allowed") : refuse(404, "no such route: " + uri.path()),
                        keepAlive);
                return;
            }
            String authorization = req.headers().get(HttpHeaderNames.AUTHORIZATION);
            if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                    || authorization.length() == 7) {
                write(ctx, refuse(401, "a control-plane token is required: Authorization: Bearer <token>"), keepAlive);
                return;
            }
            String token = authorization.substring(7).trim();
            int hops;
            try {
                hops = Math.max(0, Integer.parseInt(req.headers().get(PeerClient.HOP_HEADER, "0").trim()));
            } catch (NumberFormatException e) {
                write(ctx, refuse(400, PeerClient.HOP_HEADER + " must be a number"), keepAlive);
                return;
            }
            byte[] body = ByteBufUtil.getBytes(req.content());
            auth.caller(token).thenCompose(caller -> {
                if (caller.isEmpty()) {
                    return CompletableFuture.completedFuture(refuse(401, "unknown or expired token"));
                }
                if (!route.roles().contains(caller.get().role())) {
                    return CompletableFuture.completedFuture(refuse(403, "role " + caller.get().role()
                            + " may not call " + uri.path() + "; needs " + String.join(" or ", route.roles())));
                }
                return route.handler().apply(new Request(caller.get(), hops, body, uri));
            }).exceptionally(BrokerServer::error).thenAccept(reply -> write(ctx, reply, keepAlive));
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                ctx.close();
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("broker connection failed", cause);
            ctx.close();
        }

        private void write(ChannelHandlerContext ctx, Reply reply, boolean keepAlive) {
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(reply.status()), Unpooled.wrappedBuffer(reply.body()));
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, reply.body().length);
            if (keepAlive) {
                res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                ctx.writeAndFlush(res);
            } else {
                res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }

    /** Stops listening; connections still open are closed with the event loops by the owner of the group. */
    @Override
    public void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
    }
}

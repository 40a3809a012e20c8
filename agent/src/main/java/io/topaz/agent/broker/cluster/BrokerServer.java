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
import io.topaz.agent.broker.PublishHandler;
import io.topaz.agent.broker.push.PushServer;
import io.topaz.agent.net.Transport;
import io.topaz.model.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;

import java.io.Closeable;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The broker port: the internal HTTP API under {@code /internal/v1/} (docs/tmc-protocol.md, "The broker port's
 * internal API") for other agents, the control plane and platform services. Every request carries a control-plane
 * bearer token, checked through {@link ControlPlaneAuth}: none or unknown is 401, a role the route does not admit
 * 403; bad input 400 {@code {"error"}}; an unavailable or overloaded broker 503 {@code {"error", "kind"}}. Never a
 * stack trace. Requests are bounded ({@code maxBodyBytes}; beyond it 413 and the connection closes).
 *
 * <p>What each route does, and which roles may call it, is {@link BrokerRoutes}'s; this class serves them.
 *
 * <p>The pipeline is HTTP codec → idle timeout → aggregator → {@link #pipelineTail} hook → the API handler: the push
 * WebSocket (part 2) adds its upgrade handler on the same port through that hook, before the API handler.
 */
public final class BrokerServer implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(BrokerServer.class);

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

    private final BrokerRoutes routes;
    private final ControlPlaneAuth auth;
    private final int maxBodyBytes;
    private final long idleMillis;
    private volatile java.util.function.Consumer<ChannelPipeline> pipelineTail = p -> { };
    private Channel channel;
    private SslContext tls;

    public BrokerServer(ClusterBroker broker, ControlPlaneAuth auth, Executor localExecutor, int maxBodyBytes,
                        long idleMillis) {
        this.routes = new BrokerRoutes(broker, localExecutor);
        this.auth = auth;
        this.maxBodyBytes = maxBodyBytes;
        this.idleMillis = idleMillis;
    }

    /** The push WebSocket served on this port, whose connections {@code /internal/v1/connections} lists. */
    public void push(PushServer server) {
        routes.push(server);
    }

    /** Who serves {@code POST /internal/v1/publish}; until set it answers 503 "publishing not configured". */
    public void publishHandler(PublishHandler handler) {
        routes.publishHandler(handler);
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
            BrokerRoutes.Route route = routes.get(req.method().name() + " " + uri.path());
            if (route == null) {
                boolean known = routes.knowsPath(uri.path());
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

package io.topaz.agent.admin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.topaz.agent.broker.BrokerException;
import io.topaz.agent.broker.cluster.ControlPlaneAuth;
import io.topaz.model.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Answers the admin endpoints: {@code GET /health} (JSON) and {@code GET /metrics} (Prometheus text), and the routes
 * features add ({@link AdminRoute}). Anything else is a JSON 404 or 405; a malformed request is a 400. Health and
 * metrics only read memory, so they run on the event loop; routes complete a future.
 *
 * <p>GET and HEAD are open: operators curl {@code GET /sync} and Prometheus scrapes {@code /metrics} without a token,
 * and nothing they reach changes state. Every other method may change state ({@code POST /sync/reconcile} loads the
 * platform's order database), so it needs {@code Authorization: Bearer <token>}, checked as the broker port checks
 * its callers ({@link ControlPlaneAuth}: the control plane says whose token it is, the answer cached), and a role of
 * {@link #WRITERS}: none is 401 with {@code WWW-Authenticate: Bearer}, an unknown token or another role 403, a control
 * plane that cannot be asked 503 — JSON {@code {"error"}}, never a stack trace. Until {@link #tokens} is set (an agent
 * without a broker, which has no control plane to ask) such requests are 503: refused, not let through. The check
 * completes a future off the event loop (the event loop never waits for the control plane); an admitted request is
 * then dispatched on its channel's event loop, as a GET is.
 */
@ChannelHandler.Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);
    static final String PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /**
     * The roles that may send the admin port anything but GET/HEAD: {@code AGENT}, the control plane's own token
     * ({@code InternalAgentToken}), with which it forwards an operator's {@code POST /api/v1/sync/reconcile} (as it
     * calls the broker port's replay and purge); and {@code ADMIN}, the role the control plane itself demands for
     * that request, for an operator calling one agent directly.
     */
    static final Set<String> WRITERS = Set.of("AGENT", "ADMIN");

    private final Supplier<Map<String, Object>> health;
    private final Supplier<String> metrics;
    private final Map<String, AdminRoute> routes = new ConcurrentHashMap<>();
    private volatile Function<String, CompletableFuture<Optional<ControlPlaneAuth.Caller>>> tokens;

    AdminHandler(Supplier<Map<String, Object>> health, Supplier<String> metrics) {
        this.health = health;
        this.metrics = metrics;
    }

    void route(String path, AdminRoute route) {
        routes.put(path, route);
    }

    /** Who a token belongs to (non-blocking; empty when unknown): from now on requests other than GET/HEAD need one. */
    void tokens(Function<String, CompletableFuture<Optional<ControlPlaneAuth.Caller>>> check) {
        this.tokens = check;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            send(ctx, request, json(HttpResponseStatus.BAD_REQUEST, Map.of("error", "malformed HTTP request")), false);
            return;
        }
        if (request.method().equals(HttpMethod.GET) || request.method().equals(HttpMethod.HEAD)
                || !routes.containsKey(new QueryStringDecoder(request.uri()).path())) {
            dispatch(ctx, request); // (a POST to /health or an unknown path is a 405 or 404, no token needed)
        } else {
            authenticated(ctx, request);
        }
    }

    /** Checks the request's bearer token, then dispatches it on the channel's event loop if its role is admitted. */
    private void authenticated(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        String method = request.method().name();
        String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                || authorization.substring(7).isBlank()) {
            FullHttpResponse r = json(HttpResponseStatus.UNAUTHORIZED, Map.of("error", method + " on the admin port "
                    + "needs a control-plane token: Authorization: Bearer <token> (role " + roles() + ")"));
            r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
            send(ctx, request, r, keepAlive);
            return;
        }
        Function<String, CompletableFuture<Optional<ControlPlaneAuth.Caller>>> check = tokens;
        if (check == null) {
            send(ctx, request, json(HttpResponseStatus.SERVICE_UNAVAILABLE, Map.of("error", "this agent cannot check "
                    + "tokens: it runs no broker (--broker-port, --control-url, --agent-token), so the admin port "
                    + "answers GET only")), keepAlive);
            return;
        }
        String token = authorization.substring(7).trim();
        FullHttpRequest held = request.retainedDuplicate();
        CompletableFuture<Optional<ControlPlaneAuth.Caller>> caller;
        try {
            caller = check.apply(token);
        } catch (RuntimeException e) {
            caller = CompletableFuture.failedFuture(e);
        }
        caller.whenComplete((who, err) -> {
            Runnable next = () -> {
                try {
                    admitted(ctx, held, method, who, err, keepAlive);
                } finally {
                    held.release();
                }
            };
            if (ctx.executor().inEventLoop()) { // a cached answer: still on the event loop
                next.run();
                return;
            }
            try {
                ctx.executor().execute(next);
            } catch (RejectedExecutionException e) { // the admin port is closing
                held.release();
            }
        });
    }

    private void admitted(ChannelHandlerContext ctx, FullHttpRequest request, String method,
                          Optional<ControlPlaneAuth.Caller> who, Throwable err, boolean keepAlive) {
        String path = new QueryStringDecoder(request.uri()).path();
        if (err != null) {
            Throwable c = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            String why;
            if (c instanceof BrokerException b && b.kind() == BrokerException.Kind.UNAVAILABLE) {
                why = b.getMessage();
            } else {
                log.warn("admin {} {}: the token check failed: {}", method, path, c.toString());
                why = "cannot check the token now";
            }
            send(ctx, request, json(HttpResponseStatus.SERVICE_UNAVAILABLE, Map.of("error", why)), keepAlive);
            return;
        }
        if (who == null || who.isEmpty()) {
            send(ctx, request, json(HttpResponseStatus.FORBIDDEN, Map.of("error", "unknown or expired token")),
                    keepAlive);
            return;
        }
        ControlPlaneAuth.Caller caller = who.get();
        if (!WRITERS.contains(caller.role())) {
            send(ctx, request, json(HttpResponseStatus.FORBIDDEN, Map.of("error", "role " + caller.role()
                    + " may not " + method + " " + path + " on the admin port; needs " + roles())), keepAlive);
            return;
        }
        log.info("admin {} {} by '{}' ({})", method, path, caller.name(), caller.role());
        dispatch(ctx, request);
    }

    private static String roles() {
        return String.join(" or ", WRITERS.stream().sorted().toList());
    }

    private void dispatch(ChannelHandlerContext ctx, FullHttpRequest request) {
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path = uri.path();
        AdminRoute route = routes.get(path);
        if (route != null) {
            routed(ctx, request, route, uri);
            return;
        }
        boolean known = path.equals("/health") || path.equals("/metrics");
        FullHttpResponse response;
        if (!known) {
            response = json(HttpResponseStatus.NOT_FOUND, Map.of("error", "no such endpoint: " + path, "endpoints", "/health, /metrics"));
        } else if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
            response = json(HttpResponseStatus.METHOD_NOT_ALLOWED, Map.of("error", request.method() + " is not allowed; use GET"));
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
        } else if (path.equals("/health")) {
            response = json(HttpResponseStatus.OK, health.get());
        } else {
            response = text(HttpResponseStatus.OK, metrics.get(), PROMETHEUS_TYPE);
        }
        send(ctx, request, response, HttpUtil.isKeepAlive(request));
    }

    private static void routed(ChannelHandlerContext ctx, FullHttpRequest request, AdminRoute route,
                               QueryStringDecoder uri) {
        Map<String, String> params = new LinkedHashMap<>();
        uri.parameters().forEach((k, v) -> params.put(k, v.isEmpty() ? "" : v.get(0)));
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        String method = request.method().name();
        byte[] body = new byte[request.content().readableBytes()];
        request.content().getBytes(request.content().readerIndex(), body);
        FullHttpRequest held = request.retainedDuplicate();
        CompletableFuture<Object> answer;
        try {
            answer = route.handle(method, params, body);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((answerBody, err) -> {
            FullHttpResponse r;
            if (err == null) {
                r = json(HttpResponseStatus.OK, answerBody);
            } else {
                Throwable c = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                        ? err.getCause() : err;
                boolean bad = c instanceof IllegalArgumentException;
                if (!bad) {
                    log.warn("admin {} {} failed: {}", method, uri.path(), c.toString());
                }
                r = json(bad ? HttpResponseStatus.BAD_REQUEST : HttpResponseStatus.INTERNAL_SERVER_ERROR,
                        Map.of("error", String.valueOf(c.getMessage())));
            }
            try {
                send(ctx, held, r, keepAlive);
            } finally {
                held.release();
            }
        });
    }

    private static void send(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response, boolean keepAlive) {
        if (request.method().equals(HttpMethod.HEAD)) {
            response.content().clear();
        }
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    static FullHttpResponse json(HttpResponseStatus status, Object body) {
        return text(status, new String(Json.write(body), StandardCharsets.UTF_8), "application/json");
    }

    static FullHttpResponse text(HttpResponseStatus status, String body, String contentType) {
        ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        return r;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("admin connection failed: {}", cause.toString());
        ctx.close();
    }
}

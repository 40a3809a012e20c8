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
import io.topaz.model.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Answers the admin endpoints: {@code GET /health} (JSON) and {@code GET /metrics} (Prometheus text), and the routes
 * features add ({@link AdminRoute}). Anything else is a JSON 404 or 405; a malformed request is a 400. Health and
 * metrics only read memory, so they run on the event loop; routes complete a future.
 */
@ChannelHandler.Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);
    static final String PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final Supplier<Map<String, Object>> health;
    private final Supplier<String> metrics;
    private final Map<String, AdminRoute> routes = new ConcurrentHashMap<>();

    AdminHandler(Supplier<Map<String, Object>> health, Supplier<String> metrics) {
        this.health = health;
        this.metrics = metrics;
    }

    void route(String path, AdminRoute route) {
        routes.put(path, route);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            send(ctx, request, json(HttpResponseStatus.BAD_REQUEST, Map.of("error", "malformed HTTP request")), false);
            return;
        }
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

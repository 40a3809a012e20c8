package io.topaz.demo;

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
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Decodes a gateway call (form body, {@code X-Topaz-*} headers), asks {@link DemoApis} and writes the answer; a
 * delayed answer is scheduled on the channel's event loop, never slept for. {@code GET /health} answers UP.
 */
@ChannelHandler.Sharable
final class DemoHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final byte[] UP = "{\"status\":\"UP\"}".getBytes(StandardCharsets.UTF_8);

    private final DemoApis apis;

    DemoHandler(DemoApis apis) {
        this.apis = apis;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (!req.decoderResult().isSuccess()) {
            write(ctx, HttpResponseStatus.BAD_REQUEST, "{\"error\":\"malformed request\"}".getBytes(StandardCharsets.UTF_8), false);
            return;
        }
        if ("/health".equals(new QueryStringDecoder(req.uri()).path())) {
            write(ctx, HttpResponseStatus.OK, UP, keepAlive);
            return;
        }
        Map<String, String> params = new HashMap<>();
        try {
            new QueryStringDecoder(req.content().toString(StandardCharsets.UTF_8), StandardCharsets.UTF_8, false, 1024)
                    .parameters().forEach((k, v) -> params.put(k, v.get(0)));
        } catch (IllegalArgumentException e) {
            write(ctx, HttpResponseStatus.BAD_REQUEST,
                    "{\"error_response\":{\"sub_code\":\"isv.invalid-encoding\",\"sub_msg\":\"the form body is not URL encoding\"}}"
                            .getBytes(StandardCharsets.UTF_8), keepAlive);
            return;
        }
        Map<String, String> headers = new HashMap<>();
        req.headers().forEach(h -> {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (name.startsWith("x-topaz-")) {
                headers.put(name, h.getValue());
            }
        });
        DemoApis.Answer a = apis.answer(headers.get("x-topaz-method"), params, headers);
        HttpResponseStatus status = HttpResponseStatus.valueOf(a.status());
        if (a.delayMillis() > 0) {
            ctx.executor().schedule(() -> write(ctx, status, a.json(), keepAlive), a.delayMillis(), TimeUnit.MILLISECONDS);
        } else {
            write(ctx, status, a.json(), keepAlive);
        }
    }

    private static void write(ChannelHandlerContext ctx, HttpResponseStatus status, byte[] body, boolean keepAlive) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json").setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (keepAlive) {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(res, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}

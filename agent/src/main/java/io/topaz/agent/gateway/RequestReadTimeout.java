package io.topaz.agent.gateway;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * Against slow clients (slowloris): once a request has begun it must arrive whole within the timeout, or the client
 * gets 408 and the connection is closed. Sits between the HTTP codec and the aggregator; one per connection.
 *
 * <p>The timer is armed only when a read ends with a request begun and not finished: almost every request arrives
 * whole in one read, and arming (and cancelling) a timer per request cost the event loops a scheduled task each.
 * The timeout counts from the end of that read, microseconds after the request's first bytes.
 */
final class RequestReadTimeout extends ChannelDuplexHandler {

    private final long timeoutMillis;
    private ScheduledFuture<?> timer;
    /** A request's head has arrived and its last content has not. */
    private boolean pending;

    RequestReadTimeout(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            pending = true;
        }
        if (msg instanceof LastHttpContent) {
            pending = false;
            cancel();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (pending && timer == null) {
            timer = ctx.executor().schedule(() -> expire(ctx), timeoutMillis, TimeUnit.MILLISECONDS);
        }
        ctx.fireChannelReadComplete();
    }

    private void expire(ChannelHandlerContext ctx) {
        timer = null;
        pending = false;
        DefaultFullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_TIMEOUT,
                Unpooled.EMPTY_BUFFER);
        res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE).setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }
}

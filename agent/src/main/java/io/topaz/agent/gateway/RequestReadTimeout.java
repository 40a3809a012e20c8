package io.topaz.agent.gateway;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * Against slow clients (slowloris): once a request has begun it must arrive whole within the timeout, or the client
 * gets 408 (with a TOP {@code error_response}, {@link TopRefusals}) and the connection is closed. Sits between the HTTP codec and the aggregator; one per connection.
 *
 * <p>The timer is armed only when a read ends with a request begun and not finished: almost every request arrives
 * whole in one read, and arming (and cancelling) a timer per request cost the event loops a scheduled task each.
 * The timeout counts from the end of that read, microseconds after the request's first bytes.
 */
final class RequestReadTimeout extends ChannelDuplexHandler {

    private final long timeoutMillis;
    private final TopRefusals refusals;
    private ScheduledFuture<?> timer;
    /** A request's head has arrived and its last content has not. */
    private boolean pending;
    /** The pending request's target: the 408's format is read from it. */
    private String target;

    RequestReadTimeout(long timeoutMillis, TopRefusals refusals) {
        this.timeoutMillis = timeoutMillis;
        this.refusals = refusals;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest req) {
            pending = true;
            target = req.uri();
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
        // in its turn after the answers to earlier requests; a TOP error_response, and the connection closed
        refusals.refuse(ctx.channel(), HttpResponseStatus.REQUEST_TIMEOUT, target,
                TopRefusals.readTimeout(timeoutMillis), true);
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

package io.topaz.agent.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Netty's aggregator, except that a request over the body limit gets 413 with a TOP {@code error_response}
 * ({@link TopRefusals}) in its turn among the connection's answers, instead of Netty's empty 413 written at once. As
 * Netty does, the connection stays open when the client may still send the next request (keep-alive, the body not
 * yet sent in full), and is closed otherwise.
 */
final class TopAggregator extends HttpObjectAggregator {

    private final TopRefusals refusals;
    private final int maxBodyBytes;

    TopAggregator(int maxBodyBytes, TopRefusals refusals) {
        super(maxBodyBytes);
        this.maxBodyBytes = maxBodyBytes;
        this.refusals = refusals;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        if (!(oversized instanceof HttpRequest req)) {
            ctx.close();
            return;
        }
        // The rest of this body is discarded by the aggregator; a full message, or a client not keeping the
        // connection, leaves nothing to read after it.
        boolean close = oversized instanceof FullHttpMessage || !HttpUtil.isKeepAlive(oversized)
                || HttpUtil.is100ContinueExpected(oversized);
        refusals.refuse(ctx.channel(), HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, req.uri(),
                TopRefusals.tooLarge("request body", maxBodyBytes), close);
    }
}

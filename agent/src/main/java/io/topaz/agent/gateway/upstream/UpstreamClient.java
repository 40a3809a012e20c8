package io.topaz.agent.gateway.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.channel.pool.AbstractChannelPoolMap;
import io.netty.channel.pool.ChannelHealthChecker;
import io.netty.channel.pool.ChannelPool;
import io.netty.channel.pool.FixedChannelPool;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;

import java.io.Closeable;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A non-blocking HTTP/1.1 client for upstream calls on the agent's own event loops: one bounded pool of keep-alive
 * connections per upstream host and port ({@link FixedChannelPool}); each call acquires a connection, writes one
 * request, and gets its answer through the returned future. No thread waits for an upstream.
 *
 * <p>A connection that answered with keep-alive goes back to its pool; one that timed out, broke or asked to close is
 * closed. Failures say whether the request may have been sent ({@link UpstreamFailure#retryable()}).
 */
public final class UpstreamClient implements Closeable {

    private static final AttributeKey<ChannelPool> POOL = AttributeKey.valueOf("topaz.upstream.pool");
    private static final int MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
    private static final int MAX_PENDING_ACQUIRES = 10_000;

    private final AbstractChannelPoolMap<InetSocketAddress, FixedChannelPool> pools;
    private final EventLoopGroup group;

    private final DnsAddressResolverGroup resolver;

    /**
     * @param datagramType the datagram channel type of {@code group}'s transport, for the non-blocking DNS resolver
     *                     (the JDK's resolver would block an event loop)
     */
    public UpstreamClient(EventLoopGroup group, Class<? extends Channel> channelType,
                          Class<? extends DatagramChannel> datagramType, int maxConnectionsPerHost,
                          int connectTimeoutMillis) {
        this.group = group;
        this.resolver = new DnsAddressResolverGroup(new DnsNameResolverBuilder().datagramChannelType(datagramType));
        Bootstrap bootstrap = new Bootstrap().group(group).channel(channelType).resolver(resolver)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true);
        this.pools = new AbstractChannelPoolMap<>() {
            @Override
            protected FixedChannelPool newPool(InetSocketAddress address) {
                FixedChannelPool[] self = new FixedChannelPool[1];
                self[0] = new FixedChannelPool(bootstrap.clone().remoteAddress(address), new AbstractChannelPoolHandler() {
                    @Override
                    public void channelCreated(Channel ch) {
                        ch.attr(POOL).set(self[0]);
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(MAX_RESPONSE_BYTES),
                                new ResponseHandler());
                    }
                // No acquire timeout of the pool's own: each call's deadline (its API's timeout) bounds the wait.
                }, ChannelHealthChecker.ACTIVE, null, -1, maxConnectionsPerHost, MAX_PENDING_ACQUIRES, true, true);
                return self[0];
            }
        };
    }

    /**
     * POSTs {@code body} (form-encoded) to {@code url} with {@code headers}; the future completes with the answer, or
     * fails with an {@link UpstreamFailure}, within {@code timeoutMillis} of this call.
     */
    public CompletableFuture<UpstreamResponse> post(URI url, Map<String, String> headers, String body, long timeoutMillis) {
        CompletableFuture<UpstreamResponse> result = new CompletableFuture<>();
        InetSocketAddress address = InetSocketAddress.createUnresolved(url.getHost(), port(url));
        FixedChannelPool pool = pools.get(address);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        ScheduledFuture<?> acquireTimer = group.next().schedule(() -> result.completeExceptionally(
                new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT, "no free connection to " + url.getHost() + ":"
                        + port(url) + " within " + timeoutMillis + " ms", null)), timeoutMillis, TimeUnit.MILLISECONDS);
        pool.acquire().addListener(acquired -> {
            acquireTimer.cancel(false);
            if (!acquired.isSuccess()) {
                Throwable cause = acquired.cause();
                boolean overloaded = cause instanceof IllegalStateException; // too many outstanding acquires
                result.completeExceptionally(new UpstreamFailure(
                        overloaded ? UpstreamFailure.Kind.OVERLOADED : UpstreamFailure.Kind.CONNECT,
                        (overloaded ? "too many calls waiting for " : "cannot connect to ") + url.getHost() + ":"
                                + port(url) + ": " + cause.getMessage(), cause));
                return;
            }
            Channel ch = (Channel) acquired.getNow();
            long left = deadline - System.nanoTime();
            if (result.isDone() || left <= 0) { // timed out while waiting for the connection
                pool.release(ch);
                result.completeExceptionally(new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT,
                        "no connection to " + url.getHost() + " within " + timeoutMillis + " ms", null));
                return;
            }
            ResponseHandler handler = ch.pipeline().get(ResponseHandler.class);
            handler.expect(result, ch.eventLoop().schedule(() -> handler.timeOut(timeoutMillis), left,
                    TimeUnit.NANOSECONDS));
            ch.writeAndFlush(request(url, headers, body)).addListener(written -> {
                if (!written.isSuccess()) {
                    handler.fail(new UpstreamFailure(UpstreamFailure.Kind.BROKEN,
                            "writing to " + url.getHost() + " failed: " + written.cause().getMessage(), written.cause()));
                }
            });
        });
        return result;
    }

    private static FullHttpRequest request(URI url, Map<String, String> headers, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String path = (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
                + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path,
                Unpooled.wrappedBuffer(bytes));
        req.headers().set(HttpHeaderNames.HOST, url.getHost() + ":" + port(url))
                .set(HttpHeaderNames.CONTENT_TYPE, "application/x-www-form-urlencoded; charset=UTF-8")
                .set(HttpHeaderNames.CONTENT_LENGTH, bytes.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        headers.forEach((k, v) -> req.headers().set(k, v));
        return req;
    }

    private static int port(URI url) {
        return url.getPort() > 0 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80;
    }

    @Override
    public void close() {
        pools.close();
        resolver.close();
    }

    /**
     * The last handler of a pooled connection: completes the current call's future with its answer and gives the
     * connection back to its pool (or closes it). One call at a time per connection.
     */
    private static final class ResponseHandler extends SimpleChannelInboundHandler<FullHttpResponse> {

        private CompletableFuture<UpstreamResponse> current;
        private ScheduledFuture<?> timeout;
        private ChannelHandlerContext ctx;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        void expect(CompletableFuture<UpstreamResponse> future, ScheduledFuture<?> timer) {
            this.current = future;
            this.timeout = timer;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse msg) {
            if (current == null) {
                ctx.close(); // an answer nobody asked for: the connection is out of step
                return;
            }
            byte[] body = ByteBufUtil.getBytes(msg.content());
            boolean keepAlive = HttpUtil.isKeepAlive(msg);
            finish(new UpstreamResponse(msg.status().code(), body), null, !keepAlive);
        }

        void timeOut(long timeoutMillis) {
            if (current != null) {
                finish(null, new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT,
                        "no answer within " + timeoutMillis + " ms", null), true);
            }
        }

        void fail(UpstreamFailure failure) {
            if (ctx.channel().eventLoop().inEventLoop()) {
                if (current != null) {
                    finish(null, failure, true);
                }
            } else {
                ctx.channel().eventLoop().execute(() -> fail(failure));
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (current != null) {
                finish(null, new UpstreamFailure(UpstreamFailure.Kind.BROKEN, "the upstream closed the connection", null),
                        false);
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (current != null) {
                finish(null, new UpstreamFailure(UpstreamFailure.Kind.BROKEN, "upstream connection failed: "
                        + cause.getMessage(), cause), true);
            } else {
                ctx.close();
            }
        }

        private void finish(UpstreamResponse response, UpstreamFailure failure, boolean close) {
            CompletableFuture<UpstreamResponse> f = current;
            current = null;
            if (timeout != null) {
                timeout.cancel(false);
                timeout = null;
            }
            Channel ch = ctx.channel();
            if (close) {
                ch.close();
            }
            ChannelPool pool = ch.attr(POOL).get();
            if (pool != null) {
                pool.release(ch);
            }
            if (failure != null) {
                f.completeExceptionally(failure);
            } else {
                f.complete(response);
            }
        }
    }
}

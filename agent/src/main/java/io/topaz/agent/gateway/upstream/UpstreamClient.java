package io.topaz.agent.gateway.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.handler.ssl.SslContext;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
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
import io.netty.util.AsciiString;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;

import java.io.Closeable;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A non-blocking HTTP/1.1 client for upstream calls on the agent's own event loops. Each event loop has its own
 * bounded pools of keep-alive connections, one per upstream host and port ({@link FixedChannelPool}), and a call runs
 * wholly on the event loop it is given — the loop of the caller's inbound connection — so acquiring a connection,
 * writing, reading the answer and completing the future happen on one thread with no hand-off between loops (each
 * hand-off costs a wake-up, and on a busy machine a scheduling delay). No thread waits for an upstream.
 *
 * <p>A connection that answered with keep-alive goes back to its pool; one that timed out, broke or asked to close is
 * closed. Failures say whether the request may have been sent ({@link UpstreamFailure#retryable()}).
 */
public final class UpstreamClient implements Closeable {

    private static final AttributeKey<ChannelPool> POOL = AttributeKey.valueOf("topaz.upstream.pool");
    private static final int MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
    private static final int MAX_PENDING_ACQUIRES = 10_000;

    /** The pools of each event loop of the group, by loop (identity); filled once, read-only afterwards. */
    private final Map<EventExecutor, AbstractChannelPoolMap<InetSocketAddress, FixedChannelPool>> poolsByLoop;
    private final EventLoopGroup group;
    private final DnsAddressResolverGroup resolver;

    /**
     * @param datagramType          the datagram channel type of {@code group}'s transport, for the non-blocking DNS
     *                              resolver (the JDK's resolver would block an event loop)
     * @param maxConnectionsPerHost the bound of connections to one host and port, shared out evenly among the
     *                              group's event loops (each loop gets at least one)
     */
    public UpstreamClient(EventLoopGroup group, Class<? extends Channel> channelType,
                          Class<? extends DatagramChannel> datagramType, int maxConnectionsPerHost,
                          int connectTimeoutMillis) {
        this(group, channelType, datagramType, maxConnectionsPerHost, connectTimeoutMillis, null);
    }

    /**
     * As the other constructor; with {@code tls} not null every connection speaks https: TLS with the context's
     * trust, the host name (the target's, unresolved) sent as SNI and checked when the context asks for it.
     */
    public UpstreamClient(EventLoopGroup group, Class<? extends Channel> channelType,
                          Class<? extends DatagramChannel> datagramType, int maxConnectionsPerHost,
                          int connectTimeoutMillis, SslContext tls) {
        this.group = group;
        this.resolver = new DnsAddressResolverGroup(new DnsNameResolverBuilder().datagramChannelType(datagramType));
        Bootstrap bootstrap = new Bootstrap().group(group).channel(channelType).resolver(resolver)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true);
        List<EventExecutor> loops = new ArrayList<>();
        group.forEach(loops::add);
        int perLoop = Math.max(1, (maxConnectionsPerHost + loops.size() - 1) / loops.size());
        int pendingPerLoop = Math.max(1, MAX_PENDING_ACQUIRES / loops.size());
        Map<EventExecutor, AbstractChannelPoolMap<InetSocketAddress, FixedChannelPool>> byLoop = new IdentityHashMap<>();
        for (EventExecutor loop : loops) {
            // A one-loop bootstrap: the pool's executor and every connection it opens are on this loop.
            Bootstrap own = bootstrap.clone((EventLoop) loop);
            byLoop.put(loop, new AbstractChannelPoolMap<>() {
                @Override
                protected FixedChannelPool newPool(InetSocketAddress address) {
                    FixedChannelPool[] self = new FixedChannelPool[1];
                    self[0] = new FixedChannelPool(own.clone().remoteAddress(address), new AbstractChannelPoolHandler() {
                        @Override
                        public void channelCreated(Channel ch) {
                            ch.attr(POOL).set(self[0]);
                            if (tls != null) {
                                ch.pipeline().addLast(tls.newHandler(ch.alloc(), address.getHostString(),
                                        address.getPort()));
                            }
                            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(MAX_RESPONSE_BYTES),
                                    new ResponseHandler());
                        }
                    // No acquire timeout of the pool's own: each call's deadline (its API's timeout) bounds the wait.
                    }, ChannelHealthChecker.ACTIVE, null, -1, perLoop, pendingPerLoop, true, true);
                    return self[0];
                }
            });
        }
        this.poolsByLoop = byLoop;
    }

    /**
     * POSTs {@code body} (form-encoded) to {@code target} with {@code headers}, on {@code loop} (pass the caller's
     * event loop; a loop of another group is replaced by one of this client's); the future completes on that loop
     * with the answer, or fails with an {@link UpstreamFailure}, within {@code timeoutMillis} of this call.
     */
    public CompletableFuture<UpstreamResponse> post(EventExecutor loop, UpstreamTarget target, Map<String, String> headers,
                                                    String body, long timeoutMillis) {
        return post(loop, target, headers, UpstreamBody.form(body), timeoutMillis);
    }

    /** As {@link #post(EventExecutor, UpstreamTarget, Map, String, long)}, with any body and content type. */
    public CompletableFuture<UpstreamResponse> post(EventExecutor loop, UpstreamTarget target, Map<String, String> headers,
                                                    UpstreamBody body, long timeoutMillis) {
        AbstractChannelPoolMap<InetSocketAddress, FixedChannelPool> pools = poolsByLoop.get(loop);
        if (pools == null) {
            loop = group.next();
            pools = poolsByLoop.get(loop);
        }
        EventExecutor executor = loop;
        CompletableFuture<UpstreamResponse> result = new CompletableFuture<>();
        FixedChannelPool pool = pools.get(target.address());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        Future<Channel> acquiring = pool.acquire();
        // On its own loop a pooled connection is handed over at once; only a wait (a new connection, a full pool)
        // needs a timer.
        ScheduledFuture<?> acquireTimer = acquiring.isDone() ? null : executor.schedule(() -> result.completeExceptionally(
                new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT, "no free connection to " + target.hostAndPort()
                        + " within " + timeoutMillis + " ms", null)), timeoutMillis, TimeUnit.MILLISECONDS);
        acquiring.addListener(acquired -> {
            if (acquireTimer != null) {
                acquireTimer.cancel(false);
            }
            if (!acquired.isSuccess()) {
                Throwable cause = acquired.cause();
                boolean overloaded = cause instanceof IllegalStateException; // too many outstanding acquires
                result.completeExceptionally(new UpstreamFailure(
                        overloaded ? UpstreamFailure.Kind.OVERLOADED : UpstreamFailure.Kind.CONNECT,
                        (overloaded ? "too many calls waiting for " : "cannot connect to ") + target.hostAndPort()
                                + ": " + cause.getMessage(), cause));
                return;
            }
            Channel ch = (Channel) acquired.getNow();
            long left = deadline - System.nanoTime();
            if (result.isDone() || left <= 0) { // timed out while waiting for the connection
                pool.release(ch);
                result.completeExceptionally(new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT,
                        "no connection to " + target.hostAndPort() + " within " + timeoutMillis + " ms", null));
                return;
            }
            ResponseHandler handler = ch.pipeline().get(ResponseHandler.class);
            handler.expect(result, ch.eventLoop().schedule(() -> handler.timeOut(timeoutMillis), left,
                    TimeUnit.NANOSECONDS));
            ch.writeAndFlush(request(target, headers, body)).addListener(written -> {
                if (!written.isSuccess()) {
                    handler.fail(new UpstreamFailure(UpstreamFailure.Kind.BROKEN,
                            "writing to " + target.hostAndPort() + " failed: " + written.cause().getMessage(),
                            written.cause()));
                }
            });
        });
        return result;
    }

    private static FullHttpRequest request(UpstreamTarget target, Map<String, String> headers, UpstreamBody body) {
        byte[] bytes = body.bytes();
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, target.path(),
                Unpooled.wrappedBuffer(bytes));
        req.headers().set(HttpHeaderNames.HOST, target.hostAndPort())
                .set(HttpHeaderNames.CONTENT_TYPE, body.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        headers.forEach((k, v) -> req.headers().set(k, v));
        return req;
    }


    @Override
    public void close() {
        poolsByLoop.values().forEach(AbstractChannelPoolMap::close);
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

package io.topaz.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.topaz.agent.net.Transport;
import org.HdrHistogram.Histogram;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small HTTP/1.1 load generator on Netty: {@code connections} keep-alive connections, each sending the same
 * request again as soon as the answer arrives (closed loop), or — with a target rate — at fixed intended times,
 * latency counted from the intended time so that a stall is not hidden (no coordinated omission). Answers whose body
 * does not contain {@code expect} count as errors.
 */
public final class LoadGenerator {

    /** What one run measured. */
    public record Result(String name, long requests, long errors, double seconds, Histogram latencyMicros) {
        public double throughput() {
            return requests / seconds;
        }

        public double p(double percentile) {
            return latencyMicros.getValueAtPercentile(percentile) / 1000.0;
        }

        /** This run and {@code other} as one: their requests, errors, time and latencies together. */
        public Result plus(Result other) {
            Histogram both = latencyMicros.copy();
            both.add(other.latencyMicros);
            return new Result(name, requests + other.requests, errors + other.errors, seconds + other.seconds, both);
        }

        public String line() {
            return String.format(Locale.ROOT, "%-26s %10.0f req/s   p50 %7.2f ms   p99 %7.2f ms   errors %d", name,
                    throughput(), p(50), p(99), errors);
        }
    }

    private LoadGenerator() {
    }

    /**
     * @param ratePerSecond 0 for as fast as the connections go
     */
    public static Result run(String name, URI url, HttpMethod method, Map<String, String> headers, String body,
                             String expect, int connections, double seconds, double warmupSeconds, double ratePerSecond)
            throws InterruptedException {
        Transport transport = Transport.EPOLL.orFallback(); // the same client for every target, whatever the agents run
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        Histogram histogram = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        AtomicLong requests = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long start = System.nanoTime();
        long measureFrom = start + (long) (warmupSeconds * 1e9);
        long end = measureFrom + (long) (seconds * 1e9);
        CountDownLatch done = new CountDownLatch(connections);
        byte[] bodyBytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        String path = url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        long intervalNanos = ratePerSecond > 0 ? (long) (1e9 * connections / ratePerSecond) : 0;
        try {
            List<Channel> channels = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                long offset = intervalNanos * i / connections;
                Bootstrap b = new Bootstrap().group(group)
                        .channel(transport.socketChannel())
                        .option(ChannelOption.TCP_NODELAY, true)
                        .handler(new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20),
                                        new Driver(name, start + offset, intervalNanos, measureFrom, end, histogram, requests,
                                                errors, done, expect, () -> {
                                            FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method,
                                                    path, Unpooled.wrappedBuffer(bodyBytes));
                                            r.headers().set(HttpHeaderNames.HOST, url.getHost())
                                                    .setInt(HttpHeaderNames.CONTENT_LENGTH, bodyBytes.length);
                                            headers.forEach((k, v) -> r.headers().set(k, v));
                                            return r;
                                        }));
                            }
                        });
                channels.add(b.connect(url.getHost(), url.getPort()).sync().channel());
            }
            if (!done.await((long) (warmupSeconds + seconds + 60), TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + ": connections did not finish");
            }
            channels.forEach(Channel::close);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        return new Result(name, requests.get(), errors.get(), seconds, histogram);
    }

    /** Answers slower than this are noted in {@link #SLOW} when it is on. */
    private static final long SLOW_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    /**
     * With {@code TOPAZ_BENCH_SLOWLOG=file}: a line per measured answer slower than 2 ms — the run's name, wall-clock
     * millis, latency and the TOP {@code request_id} in the answer — to match with the agent's access log (what the
     * agent measured for the same call). At most {@link #SLOW_MAX} lines; null when off.
     */
    static final Queue<String> SLOW = System.getenv("TOPAZ_BENCH_SLOWLOG") == null ? null
            : new ConcurrentLinkedQueue<>();
    static final int SLOW_MAX = 1_000_000;
    private static final AtomicInteger SLOW_LINES = new AtomicInteger();

    private static void noteSlow(String run, long latencyNanos, FullHttpResponse answer) {
        if (SLOW_LINES.incrementAndGet() > SLOW_MAX) {
            return;
        }
        String body = answer.content().toString(StandardCharsets.UTF_8);
        String key = "\"request_id\":\"";
        int from = body.indexOf(key) + key.length();
        int to = from < key.length() ? -1 : body.indexOf('"', from);
        SLOW.add(run.replace(' ', '_') + " " + System.currentTimeMillis() + " " + latencyNanos / 1000 + "us "
                + (to < 0 ? "-" : body.substring(from, to)));
    }

    /** One connection: send, wait for the answer, record, send again (at the next intended time when paced). */
    private static final class Driver extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final long interval;
        private final long measureFrom;
        private final long end;
        private final Histogram histogram;
        private final AtomicLong requests;
        private final AtomicLong errors;
        private final CountDownLatch done;
        private final String expect;
        private final java.util.function.Supplier<FullHttpRequest> request;
        private final String name;
        private long intended;
        private boolean finished;

        Driver(String name, long first, long interval, long measureFrom, long end, Histogram histogram,
               AtomicLong requests,
               AtomicLong errors, CountDownLatch done, String expect, java.util.function.Supplier<FullHttpRequest> request) {
            this.intended = first;
            this.interval = interval;
            this.measureFrom = measureFrom;
            this.end = end;
            this.histogram = histogram;
            this.requests = requests;
            this.errors = errors;
            this.done = done;
            this.expect = expect;
            this.request = request;
            this.name = name;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            next(ctx);
        }

        private void next(ChannelHandlerContext ctx) {
            long now = System.nanoTime();
            // Paced: every request intended before the end is sent and waited for, however late its answer comes, so
            // that a stall at the end of the window is counted, not cut off.
            if ((interval == 0 ? now : intended) >= end) {
                finish();
                return;
            }
            if (interval == 0) {
                intended = now;
                ctx.writeAndFlush(request.get());
            } else if (intended > now) {
                ctx.executor().schedule(() -> {
                    ctx.writeAndFlush(request.get());
                }, intended - now, TimeUnit.NANOSECONDS);
            } else {
                ctx.writeAndFlush(request.get());
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse msg) {
            long now = System.nanoTime();
            if (intended >= measureFrom && intended < end) {
                requests.incrementAndGet();
                boolean ok = msg.status().code() == 200
                        && (expect == null || msg.content().toString(StandardCharsets.UTF_8).contains(expect));
                if (!ok) {
                    errors.incrementAndGet();
                }
                synchronized (histogram) {
                    histogram.recordValue(Math.max(1, (now - intended) / 1_000));
                }
                if (SLOW != null && now - intended > SLOW_NANOS) {
                    noteSlow(name, now - intended, msg);
                }
            }
            intended = interval == 0 ? now : intended + interval;
            next(ctx);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            finish();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            errors.incrementAndGet();
            ctx.close();
        }

        private void finish() {
            if (!finished) {
                finished = true;
                done.countDown();
            }
        }
    }
}

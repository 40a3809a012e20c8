package io.topaz.agent.gateway;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.topaz.agent.gateway.TopResponses.Reply;
import io.topaz.model.config.ConfigSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The gateway's HTTP handler: reads a {@code /router/rest} call's parameters ({@link RequestParameters}) or a
 * {@code /router/batch}, refuses what is malformed with the TOP error for it, runs the {@link GatewayPipeline} and
 * writes its answer in the format asked ({@link ResponseFormat}), gzip'd when accepted and large enough
 * ({@link GzipAnswers}). HTTP-level refusals speak TOP too ({@link TopRefusals}). One access-log line per call carries
 * the request id. Shared by all connections.
 */
@ChannelHandler.Sharable
final class GatewayHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger access = LoggerFactory.getLogger("io.topaz.agent.gateway.access");
    private static final Logger log = LoggerFactory.getLogger(GatewayHandler.class);

    private final GatewayPipeline pipeline;
    private final Supplier<ConfigSnapshot> config;
    private final GatewayMetrics metrics;
    private final TopRefusals refusals;
    private final RequestIds ids;
    private final GatewayLimits limits;
    private final BuiltInApis builtIns;

    GatewayHandler(GatewayPipeline pipeline, Supplier<ConfigSnapshot> config, GatewayMetrics metrics,
                   TopRefusals refusals, GatewayLimits limits, BuiltInApis builtIns) {
        this.builtIns = builtIns;
        this.pipeline = pipeline;
        this.config = config;
        this.metrics = metrics;
        this.refusals = refusals;
        this.ids = refusals.ids();
        this.limits = limits;
    }

    /** One request on its way: where and how its answer goes. */
    private record Exchange(ChannelHandlerContext ctx, ResponseOrder.Slot slot, boolean keepAlive, long start,
                            String requestId, String label, Map<String, String> params, ResponseFormat format,
                            boolean gzip) {
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        long start = System.nanoTime();
        ResponseOrder.Slot slot = ResponseOrder.of(ctx.channel()).claim(); // answers go out in request order
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        DecoderResult decoded = req.decoderResult();
        if (decoded.isFailure()) {
            refuseMalformed(slot, req, decoded.cause());
            return;
        }
        if (!HttpVersion.HTTP_1_1.equals(req.protocolVersion()) && !HttpVersion.HTTP_1_0.equals(req.protocolVersion())) {
            refusals.refuse(slot, HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, req.uri(), TopRefusals.malformed(
                    "HTTP version " + ProtocolStage.truncate(req.protocolVersion().text()) + " is not served; use "
                            + "HTTP/1.1"), true);
            return;
        }
        RequestTarget target = RequestTarget.of(req.uri());
        boolean batch = "/router/batch".equals(target.path());
        if (!batch && !"/router/rest".equals(target.path())) {
            plain(slot, HttpResponseStatus.NOT_FOUND, "no such endpoint; TOP calls go to /router/rest or /router/batch",
                    keepAlive);
            return;
        }
        if (!HttpMethod.POST.equals(req.method()) && (batch || !HttpMethod.GET.equals(req.method()))) {
            refusals.refuse(slot, HttpResponseStatus.METHOD_NOT_ALLOWED, req.uri(), TopRefusals.malformed(
                    batch ? "a batch is a POST" : "use GET or POST"), !keepAlive);
            return;
        }
        String requestId = ids.next();
        Map<String, String> params = new HashMap<>();
        boolean gzip = GzipAnswers.accepted(req.headers().get(HttpHeaderNames.ACCEPT_ENCODING));
        if (batch) {
            batch(new Exchange(ctx, slot, keepAlive, start, requestId, metrics.started("batch", true), params,
                    null, gzip), req, target);
            return;
        }
        List<FilePart> files = new ArrayList<>(0);
        TopError paramError = RequestParameters.decode(req, target.query(), params, files, limits.maxParameters());
        ConfigSnapshot snapshot = config.get();
        String method = params.get("method");
        Exchange ex = new Exchange(ctx, slot, keepAlive, start, requestId,
                metrics.started(method, method != null && (snapshot.apis().containsKey(method)
                        || builtIns != null && builtIns.api(method) != null)), params,
                ResponseFormat.of(params.get("format")), gzip);
        if (paramError != null) {
            finish(ex, 0, Reply.of(paramError, requestId));
            return;
        }
        Call call = new Call(requestId, start, snapshot, ctx.executor(), params);
        call.format = ex.format();
        if (!files.isEmpty()) {
            call.files = List.copyOf(files);
        }
        pipeline.handle(call).whenComplete((reply, err) -> // the invocation stage wrote upstreamNanos before this
                answer(ex, call.upstreamNanos, reply));
    }

    private void batch(Exchange pending, FullHttpRequest req, RequestTarget target) {
        Map<String, String> params = pending.params();
        TopError error = FormParameters.decodeQuery(target.query(), params, limits.maxParameters());
        Exchange ex = new Exchange(pending.ctx(), pending.slot(), pending.keepAlive(), pending.start(),
                pending.requestId(), pending.label(), params, ResponseFormat.of(params.get("format")), pending.gzip());
        byte[] raw = ByteBufUtil.getBytes(req.content());
        String body = error != null ? null : FormParameters.utf8(raw, 0, raw.length);
        if (error == null && body == null) {
            error = TopError.of(47, "isv.invalid-encoding", "the batch body is not UTF-8");
        }
        if (error != null) {
            finish(ex, 0, Reply.of(error, ex.requestId()));
            return;
        }
        String separator = req.headers().get("top-api-separator", BatchCall.DEFAULT_SEPARATOR);
        Call call = new Call(ex.requestId(), ex.start(), config.get(), ex.ctx().executor(), params);
        call.format = ex.format();
        BatchCall.run(pipeline, call, body, separator.isEmpty() ? BatchCall.DEFAULT_SEPARATOR : separator,
                        limits.maxBatchSubCalls(), ids::next)
                // A batch's sub-calls wait for their upstreams side by side: its latency is not split (-1).
                .whenComplete((reply, err) -> answer(ex, -1, reply));
    }

    /** A request the HTTP codec could not read whole: the status for why, with a TOP body. */
    private void refuseMalformed(ResponseOrder.Slot slot, FullHttpRequest req, Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            refusals.refuse(slot, HttpResponseStatus.REQUEST_URI_TOO_LONG, null, TopRefusals.tooLarge("request line",
                    limits.maxUrlBytes()), true);
        } else if (cause instanceof TooLongHttpHeaderException) {
            // the request line was read: its target names the format
            refusals.refuse(slot, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, req.uri(),
                    TopRefusals.tooLarge("header section", limits.maxHeaderBytes()), true);
        } else if (cause instanceof TooLongFrameException) {
            refusals.refuse(slot, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, null, TopRefusals.tooLarge("request",
                    limits.maxBodyBytes()), true);
        } else if (cause instanceof IllegalArgumentException && String.valueOf(cause.getMessage())
                .startsWith("invalid version format")) {
            refusals.refuse(slot, HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, null, TopRefusals.malformed(
                    "the HTTP version is not one served; use HTTP/1.1"), true);
        } else {
            refusals.refuse(slot, HttpResponseStatus.BAD_REQUEST, null, TopRefusals.malformed(
                    "malformed HTTP request: " + ProtocolStage.truncate(String.valueOf(cause.getMessage()))), true);
        }
    }

    /**
     * Answers a call whose pipeline has ended — with its reply, or an internal error when it ended without one — on
     * the connection's event loop.
     */
    private void answer(Exchange ex, long upstreamNanos, Reply reply) {
        Reply r = reply != null ? reply : Reply.of(TopError.of(10, "isp.internal-error",
                "retry later, quoting request_id " + ex.requestId()), ex.requestId());
        if (ex.ctx().executor().inEventLoop()) {
            finish(ex, upstreamNanos, r);
        } else {
            ex.ctx().executor().execute(() -> finish(ex, upstreamNanos, r));
        }
    }

    private void finish(Exchange ex, long upstreamNanos, Reply answer) {
        Reply reply = ex.format().render(answer, ex.requestId(), ex.params().get("method"));
        long nanos = System.nanoTime() - ex.start();
        metrics.finished(ex.label(), reply.error(), nanos, upstreamNanos);
        Map<String, String> params = ex.params();
        if (access.isInfoEnabled()) {
            TopError e = reply.error();
            access.info("{} {} app={} code={}{} {}us", ex.requestId(), ProtocolStage.truncate(params.get("method")),
                    ProtocolStage.truncate(params.get("app_key")), e == null ? 0 : e.code(),
                    e == null || e.subCode() == null ? "" : " sub_code=" + e.subCode(), nanos / 1_000);
        }
        byte[] body = reply.body();
        boolean gzip = ex.gzip() && body.length >= GzipAnswers.THRESHOLD;
        if (gzip) {
            body = GzipAnswers.gzip(body);
        }
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(body));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, ex.format().contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (gzip) {
            res.headers().set(HttpHeaderNames.CONTENT_ENCODING, HttpHeaderValues.GZIP)
                    .set(HttpHeaderNames.VARY, HttpHeaderNames.ACCEPT_ENCODING);
        }
        if (reply.error() != null && reply.error().retryAfterSeconds() > 0) {
            res.headers().set(HttpHeaderNames.RETRY_AFTER, reply.error().retryAfterSeconds());
        }
        write(ex.slot(), res, ex.keepAlive());
    }

    private static void plain(ResponseOrder.Slot slot, HttpResponseStatus status, String message, boolean keepAlive) {
        byte[] body = ("{\"error\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json;charset=UTF-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        write(slot, res, keepAlive);
    }

    /** On the connection's event loop: the answer goes out when every earlier request's answer has. */
    static void write(ResponseOrder.Slot slot, FullHttpResponse res, boolean keepAlive) {
        res.headers().set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        slot.complete(res, !keepAlive);
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
        log.debug("gateway connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}

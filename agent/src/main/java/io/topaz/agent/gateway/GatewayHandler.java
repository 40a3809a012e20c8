package io.topaz.agent.gateway;

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
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http.multipart.Attribute;
import io.netty.handler.codec.http.multipart.DefaultHttpDataFactory;
import io.netty.handler.codec.http.multipart.FileUpload;
import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;
import io.netty.handler.codec.http.multipart.InterfaceHttpData;
import io.netty.handler.timeout.IdleStateEvent;
import io.topaz.agent.gateway.TopResponses.Reply;
import io.topaz.model.config.ConfigSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The gateway's HTTP handler: decodes {@code /router/rest} parameters (query string, form body, multipart
 * attributes), refuses what is malformed with the TOP error for it, runs the {@link GatewayPipeline} and writes its
 * answer. One access-log line per call carries the request id. Shared by all connections.
 */
@ChannelHandler.Sharable
final class GatewayHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger access = LoggerFactory.getLogger("io.topaz.agent.gateway.access");
    private static final Logger log = LoggerFactory.getLogger(GatewayHandler.class);

    private final GatewayPipeline pipeline;
    private final Supplier<ConfigSnapshot> config;
    private final GatewayMetrics metrics;
    private final RequestIds ids = new RequestIds();
    private final int maxParameters;
    private final int maxBatchSubCalls;

    GatewayHandler(GatewayPipeline pipeline, Supplier<ConfigSnapshot> config, GatewayMetrics metrics, int maxParameters,
                   int maxBatchSubCalls) {
        this.pipeline = pipeline;
        this.config = config;
        this.metrics = metrics;
        this.maxParameters = maxParameters;
        this.maxBatchSubCalls = maxBatchSubCalls;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        long start = System.nanoTime();
        ResponseOrder.Slot slot = ResponseOrder.of(ctx.channel()).claim(); // answers go out in request order
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        DecoderResult decoded = req.decoderResult();
        if (decoded.isFailure()) {
            Throwable c = decoded.cause();
            HttpResponseStatus status = c instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                    : c instanceof TooLongHttpHeaderException ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                    : c instanceof TooLongFrameException ? HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE
                    : HttpResponseStatus.BAD_REQUEST;
            plain(ctx, slot, status, "malformed HTTP request: " + status.reasonPhrase(), false);
            return;
        }
        String path = new QueryStringDecoder(req.uri()).path();
        if ("/router/batch".equals(path)) {
            batch(ctx, slot, req, keepAlive, start);
            return;
        }
        if (!"/router/rest".equals(path)) {
            plain(ctx, slot, HttpResponseStatus.NOT_FOUND, "no such endpoint; TOP calls go to /router/rest or /router/batch",
                    keepAlive);
            return;
        }
        if (!HttpMethod.GET.equals(req.method()) && !HttpMethod.POST.equals(req.method())) {
            plain(ctx, slot, HttpResponseStatus.METHOD_NOT_ALLOWED, "use GET or POST", keepAlive);
            return;
        }
        String requestId = ids.next();
        Map<String, String> params = new HashMap<>();
        List<FilePart> files = new ArrayList<>(0);
        TopError paramError = decode(req, params, files);
        ConfigSnapshot snapshot = config.get();
        String method = params.get("method");
        String label = metrics.started(method, method != null && snapshot.apis().containsKey(method));
        if (paramError != null) {
            finish(ctx, slot, keepAlive, start, 0, label, requestId, params, Reply.of(paramError, requestId));
            return;
        }
        Call call = new Call(requestId, start, snapshot, ctx.executor(), params);
        if (!files.isEmpty()) {
            call.files = List.copyOf(files);
        }
        pipeline.handle(call).whenComplete((reply, err) -> // the invocation stage wrote upstreamNanos before this
                answer(ctx, slot, keepAlive, start, call.upstreamNanos, label, requestId, params, reply));
    }

    private void batch(ChannelHandlerContext ctx, ResponseOrder.Slot slot, FullHttpRequest req, boolean keepAlive,
                       long start) {
        if (!HttpMethod.POST.equals(req.method())) {
            plain(ctx, slot, HttpResponseStatus.METHOD_NOT_ALLOWED, "a batch is a POST", keepAlive);
            return;
        }
        String requestId = ids.next();
        Map<String, String> params = new HashMap<>();
        TopError error;
        try {
            error = put(new QueryStringDecoder(req.uri(), StandardCharsets.UTF_8, true, maxParameters + 1).parameters(),
                    params);
        } catch (IllegalArgumentException e) {
            error = TopError.of(47, "isv.invalid-encoding", "the query string is not valid UTF-8 URL encoding");
        }
        String label = metrics.started("batch", true);
        if (error != null) {
            finish(ctx, slot, keepAlive, start, 0, label, requestId, params, Reply.of(error, requestId));
            return;
        }
        String separator = req.headers().get("top-api-separator", BatchCall.DEFAULT_SEPARATOR);
        String body = req.content().toString(StandardCharsets.UTF_8);
        Call batch = new Call(requestId, start, config.get(), ctx.executor(), params);
        BatchCall.run(pipeline, batch, body, separator.isEmpty() ? BatchCall.DEFAULT_SEPARATOR : separator,
                        maxBatchSubCalls, ids::next)
                // A batch's sub-calls wait for their upstreams side by side: its latency is not split (-1).
                .whenComplete((reply, err) -> answer(ctx, slot, keepAlive, start, -1, label, requestId, params, reply));
    }

    /**
     * Answers a call whose pipeline has ended — with its reply, or an internal error when it ended without one — on
     * the connection's event loop.
     */
    private void answer(ChannelHandlerContext ctx, ResponseOrder.Slot slot, boolean keepAlive, long start,
                        long upstreamNanos, String label, String requestId, Map<String, String> params, Reply reply) {
        Reply r = reply != null ? reply : Reply.of(TopError.of(10, "isp.internal-error",
                "retry later, quoting request_id " + requestId), requestId);
        if (ctx.executor().inEventLoop()) {
            finish(ctx, slot, keepAlive, start, upstreamNanos, label, requestId, params, r);
        } else {
            ctx.executor().execute(() -> finish(ctx, slot, keepAlive, start, upstreamNanos, label, requestId, params,
                    r));
        }
    }

    /** Fills {@code params} from the query string and the body; returns the TOP error for malformed input. */
    private TopError decode(FullHttpRequest req, Map<String, String> params, List<FilePart> files) {
        try {
            QueryStringDecoder query = new QueryStringDecoder(req.uri(), StandardCharsets.UTF_8, true, maxParameters + 1);
            TopError e = put(query.parameters(), params);
            if (e != null) {
                return e;
            }
            if (HttpMethod.POST.equals(req.method()) && req.content().isReadable()) {
                String type = req.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
                if (type.startsWith("multipart/form-data")) {
                    HttpPostRequestDecoder decoder = new HttpPostRequestDecoder(new DefaultHttpDataFactory(false), req,
                            StandardCharsets.UTF_8);
                    try {
                        for (InterfaceHttpData d : decoder.getBodyHttpDatas()) {
                            if (d.getHttpDataType() == InterfaceHttpData.HttpDataType.Attribute) {
                                if (params.putIfAbsent(d.getName(), ((Attribute) d).getValue()) != null) {
                                    return duplicate(d.getName());
                                }
                            } else if (d instanceof FileUpload f) {
                                // File parts are not signed (TOP); they are forwarded as file parts.
                                if (params.containsKey(f.getName())
                                        || files.stream().anyMatch(x -> x.name().equals(f.getName()))) {
                                    return duplicate(f.getName());
                                }
                                files.add(new FilePart(f.getName(), f.getFilename(), f.getContentType(), f.get()));
                            }
                        }
                    } finally {
                        decoder.destroy();
                    }
                } else {
                    String body = req.content().toString(StandardCharsets.UTF_8);
                    QueryStringDecoder form = new QueryStringDecoder(body, StandardCharsets.UTF_8, false, maxParameters + 1);
                    e = put(form.parameters(), params);
                    if (e != null) {
                        return e;
                    }
                }
            }
            if (params.size() > maxParameters) {
                return TopError.of(41, "isv.too-many-parameters", "at most " + maxParameters + " parameters");
            }
            return null;
        } catch (IllegalArgumentException | HttpPostRequestDecoder.ErrorDataDecoderException e) {
            return TopError.of(47, "isv.invalid-encoding", "the parameters are not valid UTF-8 URL encoding");
        } catch (IOException e) {
            return TopError.of(47, "isv.invalid-encoding", "the multipart body could not be read");
        }
    }

    private TopError put(Map<String, List<String>> decoded, Map<String, String> params) {
        if (decoded.size() > maxParameters) {
            return TopError.of(41, "isv.too-many-parameters", "at most " + maxParameters + " parameters");
        }
        for (Map.Entry<String, List<String>> e : decoded.entrySet()) {
            if (e.getValue().size() != 1 || params.putIfAbsent(e.getKey(), e.getValue().get(0)) != null) {
                return duplicate(e.getKey());
            }
        }
        return null;
    }

    private static TopError duplicate(String name) {
        return TopError.of(43, "isv.duplicate-parameter", "the parameter '" + ProtocolStage.truncate(name)
                + "' is given more than once");
    }

    private void finish(ChannelHandlerContext ctx, ResponseOrder.Slot slot, boolean keepAlive, long start,
                        long upstreamNanos, String label, String requestId, Map<String, String> params, Reply reply) {
        long nanos = System.nanoTime() - start;
        metrics.finished(label, reply.error(), nanos, upstreamNanos);
        if (access.isInfoEnabled()) {
            TopError e = reply.error();
            access.info("{} {} app={} code={}{} {}us", requestId, ProtocolStage.truncate(params.get("method")),
                    ProtocolStage.truncate(params.get("app_key")), e == null ? 0 : e.code(),
                    e == null || e.subCode() == null ? "" : " sub_code=" + e.subCode(), nanos / 1_000);
        }
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(reply.body()));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json;charset=UTF-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, reply.body().length);
        if (reply.error() != null && reply.error().retryAfterSeconds() > 0) {
            res.headers().set(HttpHeaderNames.RETRY_AFTER, reply.error().retryAfterSeconds());
        }
        write(slot, res, keepAlive);
    }

    private static void plain(ChannelHandlerContext ctx, ResponseOrder.Slot slot, HttpResponseStatus status, String message,
                              boolean keepAlive) {
        byte[] body = ("{\"error\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json;charset=UTF-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        write(slot, res, keepAlive);
    }

    /** On the connection's event loop: the answer goes out when every earlier request's answer has. */
    private static void write(ResponseOrder.Slot slot, FullHttpResponse res, boolean keepAlive) {
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

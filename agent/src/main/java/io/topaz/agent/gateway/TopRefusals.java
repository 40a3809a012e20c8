package io.topaz.agent.gateway;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.topaz.agent.gateway.TopResponses.Reply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;

/**
 * Refusals at the HTTP level — a request too large (413), too slow (408), with too long a target (414) or headers
 * (431), malformed (400), of an unknown HTTP version (505), with a method TOP does not use (405) — answered the way a
 * TOP client reads an answer: the HTTP status says what happened, and the body is a TOP {@code error_response} with a
 * {@code request_id}, in the format its query string names, else JSON. Each is logged
 * on the access log with its request id. Shared by the handlers of every connection.
 */
final class TopRefusals {

    private static final Logger access = LoggerFactory.getLogger("io.topaz.agent.gateway.access");

    private final RequestIds ids;

    TopRefusals(RequestIds ids) {
        this.ids = ids;
    }

    RequestIds ids() {
        return ids;
    }

    /**
     * Answers a request that is refused whole, in its turn among the connection's answers.
     *
     * @param target the request target when it could be read (its {@code format} is honoured), else null
     * @param close  whether the connection is closed after the answer
     */
    void refuse(Channel channel, HttpResponseStatus status, String target, TopError error, boolean close) {
        refuse(ResponseOrder.of(channel).claim(), status, target, error, close);
    }

    void refuse(ResponseOrder.Slot slot, HttpResponseStatus status, String target, TopError error, boolean close) {
        String requestId = ids.next();
        ResponseFormat format = formatOf(target);
        byte[] body = format.render(Reply.of(error, requestId), requestId, null).body();
        access.info("{} - refused: HTTP {} code={} sub_code={}", requestId, status.code(), error.code(),
                error.subCode());
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, format.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        GatewayHandler.write(slot, res, !close);
    }

    /**
     * The format named in {@code target}'s query string; JSON when there is none — a refused request's body is never
     * read, so an absent {@code format} cannot be told from one in the body.
     */
    static ResponseFormat formatOf(String target) {
        int q = target == null ? -1 : target.indexOf('?');
        if (q < 0) {
            return ResponseFormat.JSON;
        }
        Map<String, String> params = new HashMap<>();
        FormParameters.decodeQuery(target.substring(q + 1), params, Integer.MAX_VALUE); // what could be read
        String format = params.get("format");
        return format == null ? ResponseFormat.JSON : ResponseFormat.of(format);
    }

    static TopError tooLarge(String what, int limit) {
        return TopError.of(41, "isv.request-too-large", "the " + what + " is larger than " + limit
                + " bytes; send less in one call");
    }

    static TopError readTimeout(long millis) {
        return TopError.of(10, "isp.request-read-timeout", "the request did not arrive whole within " + millis
                + " ms; retry, sending it at once");
    }

    static TopError malformed(String why) {
        return TopError.of(43, "isv.malformed-request", why);
    }
}

package io.topaz.agent.gateway;

import io.topaz.agent.gateway.upstream.UpstreamResponse;
import io.topaz.model.json.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Response mapping: an upstream's answer becomes a TOP response. A JSON object is the result, wrapped in
 * {@code <name>_response} with the request id ({@code simplify=true}: not wrapped); an {@code error_response} object
 * from the upstream is a business error (code 15 with its sub-code); anything else is a remote service error.
 */
final class TopResponses {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private TopResponses() {
    }

    /** {@code taobao.trade.fullinfo.get} → {@code trade_fullinfo_get_response}. */
    static String responseName(String method) {
        String m = method.startsWith("taobao.") ? method.substring("taobao.".length()) : method;
        return m.replace('.', '_') + "_response";
    }

    /**
     * The TOP answer for a call, and the error it carries (null on success). The body is one JSON answer, or, when
     * {@code rendered}, already in the caller's format (an XML conversion; a batch's answers joined by its
     * separator).
     */
    record Reply(byte[] body, TopError error, boolean rendered) {
        Reply(byte[] body, TopError error) {
            this(body, error, false);
        }

        static Reply of(TopError e, String requestId) {
            return new Reply(TopResponses.error(e, requestId), e);
        }
    }

    static Reply map(Call call, UpstreamResponse upstream) {
        byte[] raw = upstream.body();
        if (upstream.status() == 200 && looksLikeObject(raw) && !contains(raw, ERROR_KEY)) {
            return new Reply(splice(call, raw), null); // the common case: no parse, no re-serialization
        }
        JsonNode body = parse(upstream);
        if (upstream.status() != 200 || body == null || !body.isObject()) {
            return Reply.of(TopError.of(15, "isp.remote-service-error", call.method + "'s service answered "
                    + (upstream.status() != 200 ? "HTTP " + upstream.status() : "something that is not a JSON object")),
                    call.requestId);
        }
        JsonNode err = body.get("error_response");
        if (err != null && err.isObject()) {
            String sub = text(err, "sub_code", "isp.unknown-error");
            if (!sub.startsWith("isv.") && !sub.startsWith("isp.")) {
                sub = "isp." + sub;
            }
            return Reply.of(TopError.of(15, sub, text(err, "sub_msg", "the service reported an error")), call.requestId);
        }
        ObjectNode result = (ObjectNode) body;
        result.put("request_id", call.requestId);
        if (call.simplify) {
            return new Reply(Json.write(result), null);
        }
        ObjectNode wrapped = NODES.objectNode();
        wrapped.set(responseName(call.method), result);
        return new Reply(Json.write(wrapped), null);
    }

    /** A built-in API's result: {@code {"<name>_response":{…,"request_id"}}}, or unwrapped when simplified. */
    static Reply builtIn(Call call, ObjectNode result) {
        result.put("request_id", call.requestId);
        if (call.simplify) {
            return new Reply(Json.write(result), null);
        }
        ObjectNode wrapped = NODES.objectNode();
        wrapped.set(responseName(call.method), result);
        return new Reply(Json.write(wrapped), null);
    }

    private static final byte[] ERROR_KEY = "\"error_response\"".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    /**
     * {@code {…}} → {@code {"<name>_response":{…,"request_id":"…"}}} (or without the wrapper when simplified), on the
     * bytes. The upstream's object is copied as it came; an object that is not valid JSON inside stays the
     * upstream's fault, as with any proxy.
     */
    private static byte[] splice(Call call, byte[] raw) {
        int last = raw.length - 1;
        while (Character.isWhitespace(raw[last])) {
            last--;
        }
        int first = 0;
        while (Character.isWhitespace(raw[first])) {
            first++;
        }
        boolean empty = isEmptyObject(raw, first, last);
        String head = call.simplify ? "" : "{\"" + responseName(call.method) + "\":";
        String tail = (empty ? "" : ",") + "\"request_id\":\"" + call.requestId + "\"}" + (call.simplify ? "" : "}");
        byte[] h = head.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] t = tail.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] out = new byte[h.length + (last - first) + t.length];
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(raw, first, out, h.length, last - first); // the object without its closing brace
        System.arraycopy(t, 0, out, h.length + (last - first), t.length);
        return out;
    }

    private static boolean isEmptyObject(byte[] raw, int first, int last) {
        for (int i = first + 1; i < last; i++) {
            if (!Character.isWhitespace(raw[i])) {
                return false;
            }
        }
        return true;
    }

    private static boolean looksLikeObject(byte[] raw) {
        int first = 0;
        int last = raw.length - 1;
        while (first <= last && Character.isWhitespace(raw[first])) {
            first++;
        }
        while (last >= first && Character.isWhitespace(raw[last])) {
            last--;
        }
        return first < last && raw[first] == '{' && raw[last] == '}';
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    static byte[] error(TopError e, String requestId) {
        ObjectNode inner = NODES.objectNode();
        inner.put("code", e.code());
        inner.put("msg", e.msg());
        if (e.subCode() != null) {
            inner.put("sub_code", e.subCode());
        }
        if (e.subMsg() != null) {
            inner.put("sub_msg", e.subMsg());
        }
        inner.put("request_id", requestId);
        ObjectNode outer = NODES.objectNode();
        outer.set("error_response", inner);
        return Json.write(outer);
    }

    private static JsonNode parse(UpstreamResponse r) {
        if (r.body().length == 0) {
            return null;
        }
        try {
            return Json.lenient().readTree(r.body());
        } catch (JacksonException e) {
            return null;
        }
    }

    private static String text(JsonNode n, String field, String fallback) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? fallback : v.asString();
    }
}

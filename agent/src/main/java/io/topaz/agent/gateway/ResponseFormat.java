package io.topaz.agent.gateway;

import io.topaz.agent.gateway.TopResponses.Reply;

/**
 * The format a caller asked its answers in: TOP's {@code format} parameter, {@code json} or {@code xml}, and XML when
 * absent, as TOP answers. The pipeline builds every answer in JSON (the upstream contract's format); an XML caller's
 * is converted as it is written ({@link TopXml}), so the JSON path does no work for XML's sake.
 */
enum ResponseFormat {

    JSON("application/json;charset=UTF-8"),
    XML("text/xml;charset=UTF-8");

    private final String contentType;

    ResponseFormat(String contentType) {
        this.contentType = contentType;
    }

    String contentType() {
        return contentType;
    }

    /**
     * The format of a {@code format} parameter's value: {@code json} is JSON; absent, {@code xml} — and an unknown
     * value, which the protocol stage refuses with code 23 — are XML, TOP's default.
     */
    static ResponseFormat of(String parameter) {
        return parameter != null && parameter.equalsIgnoreCase("json") ? JSON : XML;
    }

    /** Whether {@code parameter} names a format that is served (absent counts: XML). */
    static boolean served(String parameter) {
        return parameter == null || parameter.isEmpty() || parameter.equalsIgnoreCase("json")
                || parameter.equalsIgnoreCase("xml");
    }

    /**
     * {@code reply} in this format: its body, and its error — which changes when an upstream's answer that was passed
     * through unparsed (the JSON fast path) turns out not to be JSON: in XML it cannot be converted and becomes code
     * 15, as when it is parsed. The result is final ({@code rendered}): it is not rendered again.
     */
    Reply render(Reply reply, String requestId, String method) {
        if (this == JSON || reply.rendered()) {
            return reply;
        }
        try {
            return new Reply(TopXml.fromJson(reply.body()), reply.error(), true);
        } catch (TopXml.NotConvertible e) {
            TopError error = TopError.of(15, "isp.remote-service-error", (method == null ? "the service"
                    : ProtocolStage.truncate(method) + "'s service") + " answered something that is not a JSON object");
            return new Reply(TopXml.fromJson(TopResponses.error(error, requestId)), error, true);
        }
    }
}

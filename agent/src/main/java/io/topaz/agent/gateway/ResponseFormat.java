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
     * The body of {@code reply} in this format. An upstream's answer that was passed through unparsed (the JSON fast
     * path) and turns out not to be JSON fails here, in XML only: it becomes code 15, as when it is parsed.
     */
    byte[] render(Reply reply, String requestId, String method) {
        if (this == JSON || reply.joined()) {
            return reply.body();
        }
        try {
            return TopXml.fromJson(reply.body());
        } catch (TopXml.NotConvertible e) {
            return TopXml.fromJson(TopResponses.error(TopError.of(15, "isp.remote-service-error",
                    (method == null ? "the service" : ProtocolStage.truncate(method) + "'s service")
                            + " answered something that is not a JSON object"), requestId));
        }
    }
}

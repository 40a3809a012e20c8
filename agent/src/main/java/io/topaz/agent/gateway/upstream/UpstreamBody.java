package io.topaz.agent.gateway.upstream;

import io.netty.util.AsciiString;

import java.nio.charset.StandardCharsets;

/** The body of an upstream request and its content type. */
public record UpstreamBody(byte[] bytes, CharSequence contentType) {

    static final AsciiString FORM = AsciiString.cached("application/x-www-form-urlencoded; charset=UTF-8");

    /** A form-encoded body ({@code application/x-www-form-urlencoded}). */
    public static UpstreamBody form(String encoded) {
        return new UpstreamBody(encoded.getBytes(StandardCharsets.UTF_8), FORM);
    }
}

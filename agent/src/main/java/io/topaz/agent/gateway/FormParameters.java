package io.topaz.agent.gateway;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * TOP's parameters in {@code application/x-www-form-urlencoded} form — a query string, a form body, a batch sub-call —
 * read the way TOP reads them: pairs split on {@code &} only (a {@code ;} is an ordinary character of a value),
 * {@code +} a space, {@code %XY} a byte, and the bytes strict UTF-8. What is not — a bad escape, GBK bytes, an overlong
 * form — is code 47, never a silent U+FFFD that would then fail the signature as code 25. A name given twice is 43.
 *
 * <p>Raw (unescaped) bytes above 0x7F in a request target reach us as the chars U+0080–U+00FF (the HTTP codec reads
 * the request line as ISO-8859-1), so {@link #decodeQuery} turns them back into the bytes they were.
 */
final class FormParameters {

    private FormParameters() {
    }

    /** Decodes a request target's (or any) query string, from after its {@code ?} to its {@code #} or end. */
    static TopError decodeQuery(String query, Map<String, String> into, int maxParameters) {
        int end = query.indexOf('#');
        end = end < 0 ? query.length() : end;
        byte[] bytes = new byte[end];
        for (int i = 0; i < end; i++) {
            char c = query.charAt(i);
            if (c > 0xFF) { // not from an ISO-8859-1 request line: decoded text given to us as such
                return decode(query.substring(0, end).getBytes(StandardCharsets.UTF_8), into, maxParameters);
            }
            bytes[i] = (byte) c;
        }
        return decode(bytes, into, maxParameters);
    }

    /** Decodes a form body (or a batch part) given as bytes. */
    static TopError decode(byte[] src, Map<String, String> into, int maxParameters) {
        int count = 0;
        int from = 0;
        while (from <= src.length) {
            int amp = indexOf(src, (byte) '&', from, src.length);
            int end = amp < 0 ? src.length : amp;
            if (end > from) {
                int eq = indexOf(src, (byte) '=', from, end);
                int nameEnd = eq < 0 ? end : eq;
                if (nameEnd > from) { // a pair without a name ("=x") is skipped, as by every form decoder
                    if (++count > maxParameters) {
                        return TopError.of(41, "isv.too-many-parameters", "at most " + maxParameters + " parameters");
                    }
                    String name = text(src, from, nameEnd);
                    String value = nameEnd == end ? "" : text(src, nameEnd + 1, end);
                    if (name == null || value == null) {
                        return invalidEncoding(name);
                    }
                    if (into.putIfAbsent(name, value) != null) {
                        return duplicate(name);
                    }
                }
            }
            from = end + 1;
        }
        return null;
    }

    static TopError duplicate(String name) {
        return TopError.of(43, "isv.duplicate-parameter", "the parameter '" + ProtocolStage.truncate(name)
                + "' is given more than once");
    }

    static TopError invalidEncoding(String name) {
        return TopError.of(47, "isv.invalid-encoding", (name == null ? "a parameter name"
                : "the value of '" + ProtocolStage.truncate(name) + "'")
                + " is not UTF-8 in URL encoding (%XY escapes of UTF-8 bytes)");
    }

    /** The text of {@code src[from, to)} URL-decoded as strict UTF-8, or null when it is not. */
    private static String text(byte[] src, int from, int to) {
        boolean plain = true;
        for (int i = from; i < to; i++) {
            byte b = src[i];
            if (b == '%' || b == '+' || b < 0) {
                plain = false;
                break;
            }
        }
        if (plain) { // the common case: ASCII, nothing escaped
            return new String(src, from, to - from, StandardCharsets.ISO_8859_1);
        }
        byte[] out = new byte[to - from];
        int n = 0;
        for (int i = from; i < to; i++) {
            byte b = src[i];
            if (b == '+') {
                out[n++] = ' ';
            } else if (b == '%') {
                int hi = i + 2 < to ? Character.digit(src[i + 1], 16) : -1;
                int lo = i + 2 < to ? Character.digit(src[i + 2], 16) : -1;
                if (hi < 0 || lo < 0) {
                    return null;
                }
                out[n++] = (byte) (hi << 4 | lo);
                i += 2;
            } else {
                out[n++] = b;
            }
        }
        return utf8(out, 0, n);
    }

    /** Strict UTF-8 (overlong forms, surrogates and truncated sequences refused), or null. */
    static String utf8(byte[] bytes, int from, int length) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, from, length)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static int indexOf(byte[] src, byte b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (src[i] == b) {
                return i;
            }
        }
        return -1;
    }
}

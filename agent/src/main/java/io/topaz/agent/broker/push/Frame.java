package io.topaz.agent.broker.push;

import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One protocol message of the push WebSocket: version, message type, the optional status, flag and token headers,
 * and the custom fields in frame order.
 *
 * <p>Custom field values are typed by their Java class, which picks the value format on the wire: {@code null} void
 * (0), {@link String} string (1), {@link Byte} byte (2), {@link Short} int16 (3), {@link Integer} int32 (4),
 * {@link Long} int64 (5), {@link Instant} date (6, epoch milliseconds), {@code byte[]} byte array (7). An empty string
 * travels as a CountedString of length 0, which the protocol reads as null (so a decoded frame has null, not "").
 *
 * @param statusCode   header 2, or null when absent
 * @param statusPhrase header 3, or null when absent (or empty)
 * @param flag         header 4, or null when absent: a request id the reply echoes
 * @param token        header 5, or null when absent (or empty)
 */
public record Frame(int version, int messageType, Integer statusCode, String statusPhrase, Integer flag, String token,
                    Map<String, Object> fields) {

    public static final int CONNECT = 0;
    public static final int CONNECTACK = 1;
    public static final int SEND = 2;
    public static final int SENDACK = 3;

    public Frame {
        fields = fields == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            Objects.requireNonNull(e.getKey(), "field names are never null");
            FrameCodec.format(e.getValue()); // refuses values of no value format
        }
    }

    public Object field(String name) {
        return fields.get(name);
    }

    /** The field as a string, or null when absent or not a string. */
    public String string(String name) {
        return fields.get(name) instanceof String s ? s : null;
    }

    /** The field as a whole number (byte, int16, int32 or int64), or null when absent or of another format. */
    public Long number(String name) {
        Object v = fields.get(name);
        return v instanceof Byte || v instanceof Short || v instanceof Integer || v instanceof Long
                ? ((Number) v).longValue() : null;
    }

    /** Whether two frames carry the same headers and fields (byte arrays compared by content). */
    public boolean sameAs(Frame o) {
        if (version != o.version || messageType != o.messageType || !Objects.equals(statusCode, o.statusCode)
                || !Objects.equals(statusPhrase, o.statusPhrase) || !Objects.equals(flag, o.flag)
                || !Objects.equals(token, o.token) || fields.size() != o.fields.size()) {
            return false;
        }
        var a = fields.entrySet().iterator();
        var b = o.fields.entrySet().iterator();
        while (a.hasNext()) {
            var x = a.next();
            var y = b.next();
            if (!x.getKey().equals(y.getKey()) || !Objects.deepEquals(x.getValue(), y.getValue())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Frame[v").append(version).append(" type ").append(messageType);
        if (statusCode != null) {
            sb.append(" status ").append(statusCode).append(' ').append(statusPhrase);
        }
        if (flag != null) {
            sb.append(" flag ").append(flag);
        }
        if (token != null) {
            sb.append(" token ").append(token);
        }
        fields.forEach((k, v) -> sb.append(' ').append(k).append('=')
                .append(v instanceof byte[] b ? Arrays.toString(b) : String.valueOf(v)));
        return sb.append(']').toString();
    }
}

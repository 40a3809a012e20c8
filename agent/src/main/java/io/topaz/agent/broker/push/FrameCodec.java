package io.topaz.agent.broker.push;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The push WebSocket's binary frames (docs/tmc-protocol.md, "Frame layout"): {@code int8 version} (1 or 2),
 * {@code int8 messageType} (0–3), headers ({@code int16 type} and body) until header type 0; little-endian;
 * {@code CountedString} = {@code int32} byte length + UTF-8, length 0 meaning null.
 *
 * <p>Decoding is strict: every length is checked against what is left before anything is read or allocated, unknown
 * versions, message types, header types and value formats are refused, and so are bytes after the end-of-headers
 * header — each as a {@link FrameException} with close code 1002. Nothing a client sends can make the decoder read
 * outside the frame or allocate more than the frame's own size.
 */
public final class FrameCodec {

    static final int END = 0;
    static final int CUSTOM = 1;
    static final int STATUS_CODE = 2;
    static final int STATUS_PHRASE = 3;
    static final int FLAG = 4;
    static final int TOKEN = 5;

    static final int VOID = 0;
    static final int STRING = 1;
    static final int BYTE = 2;
    static final int INT16 = 3;
    static final int INT32 = 4;
    static final int INT64 = 5;
    static final int DATE = 6;
    static final int BYTES = 7;

    private FrameCodec() {
    }

    /** Reads one whole frame from {@code in} (its readable bytes); the reader index ends past it. */
    public static Frame decode(ByteBuf in) {
        int version = readByte(in, "version");
        if (version != 1 && version != 2) {
            throw new FrameException(FrameException.PROTOCOL_ERROR, "unknown protocol version " + version
                    + " (1 and 2 are served)");
        }
        int type = readByte(in, "message type");
        if (type < Frame.CONNECT || type > Frame.SENDACK) {
            throw new FrameException(FrameException.PROTOCOL_ERROR, "unknown message type " + type);
        }
        Integer statusCode = null;
        String statusPhrase = null;
        Integer flag = null;
        String token = null;
        Map<String, Object> fields = new LinkedHashMap<>();
        while (true) {
            need(in, 2, "header type");
            int header = in.readShortLE();
            switch (header) {
                case END -> {
                    if (in.isReadable()) {
                        throw FrameException.malformed(in.readableBytes() + " bytes after the end of the headers");
                    }
                    return new Frame(version, type, statusCode, statusPhrase, flag, token, fields);
                }
                case CUSTOM -> {
                    String key = countedString(in, "field name");
                    if (key == null) {
                        throw FrameException.malformed("a custom field without a name");
                    }
                    fields.put(key, value(in, key));
                }
                case STATUS_CODE -> {
                    need(in, 4, "status code");
                    statusCode = in.readIntLE();
                }
                case STATUS_PHRASE -> statusPhrase = countedString(in, "status phrase");
                case FLAG -> {
                    need(in, 4, "flag");
                    flag = in.readIntLE();
                }
                case TOKEN -> token = countedString(in, "token");
                default -> throw FrameException.malformed("unknown header type " + header);
            }
        }
    }

    /** The frame's bytes in a buffer from {@code alloc} (the caller owns it). */
    public static ByteBuf encode(Frame f, ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(64);
        try {
            writeHead(out, f);
            for (Map.Entry<String, Object> e : f.fields().entrySet()) {
                writeField(out, e.getKey(), e.getValue());
            }
            out.writeShortLE(END);
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /**
     * The frame's bytes around the value of its string field {@code hole}, whose {@code holeLength} UTF-8 bytes the
     * caller sends in between (a file region): [0] ends with the field's {@code int32} length, [1] is the rest. The
     * three together are exactly {@link #encode}'s bytes when the field's value has that UTF-8 length. The caller
     * owns both buffers.
     */
    static ByteBuf[] encodeAround(Frame f, String hole, int holeLength, ByteBufAllocator alloc) {
        if (!(f.field(hole) instanceof String) || holeLength <= 0) {
            throw new IllegalArgumentException("field " + hole + " is not a non-empty string of the frame");
        }
        ByteBuf before = alloc.buffer(64);
        ByteBuf after = alloc.buffer(64);
        try {
            writeHead(before, f);
            ByteBuf out = before;
            for (Map.Entry<String, Object> e : f.fields().entrySet()) {
                if (out == before && e.getKey().equals(hole)) {
                    out.writeShortLE(CUSTOM);
                    writeCounted(out, hole);
                    out.writeByte(STRING).writeIntLE(holeLength);
                    out = after;
                } else {
                    writeField(out, e.getKey(), e.getValue());
                }
            }
            after.writeShortLE(END);
            return new ByteBuf[]{before, after};
        } catch (RuntimeException e) {
            before.release();
            after.release();
            throw e;
        }
    }

    private static void writeHead(ByteBuf out, Frame f) {
        out.writeByte(f.version()).writeByte(f.messageType());
        if (f.statusCode() != null) {
            out.writeShortLE(STATUS_CODE).writeIntLE(f.statusCode());
        }
        if (f.statusPhrase() != null) {
            out.writeShortLE(STATUS_PHRASE);
            writeCounted(out, f.statusPhrase());
        }
        if (f.flag() != null) {
            out.writeShortLE(FLAG).writeIntLE(f.flag());
        }
        if (f.token() != null) {
            out.writeShortLE(TOKEN);
            writeCounted(out, f.token());
        }
    }

    private static void writeField(ByteBuf out, String key, Object v) {
        out.writeShortLE(CUSTOM);
        writeCounted(out, key);
        int format = format(v);
        out.writeByte(format);
        switch (format) {
            case VOID -> { }
            case STRING -> writeCounted(out, (String) v);
            case BYTE -> out.writeByte((Byte) v);
            case INT16 -> out.writeShortLE((Short) v);
            case INT32 -> out.writeIntLE((Integer) v);
            case INT64 -> out.writeLongLE((Long) v);
            case DATE -> out.writeLongLE(((Instant) v).toEpochMilli());
            case BYTES -> {
                byte[] b = (byte[]) v;
                out.writeIntLE(b.length).writeBytes(b);
            }
            default -> throw new IllegalStateException("format " + format);
        }
    }

    /** The value format of a custom field's value; refuses a class with none. */
    static int format(Object v) {
        if (v == null) {
            return VOID;
        }
        if (v instanceof String) {
            return STRING;
        }
        if (v instanceof Byte) {
            return BYTE;
        }
        if (v instanceof Short) {
            return INT16;
        }
        if (v instanceof Integer) {
            return INT32;
        }
        if (v instanceof Long) {
            return INT64;
        }
        if (v instanceof Instant) {
            return DATE;
        }
        if (v instanceof byte[]) {
            return BYTES;
        }
        throw new IllegalArgumentException("no value format for " + v.getClass().getName());
    }

    private static Object value(ByteBuf in, String key) {
        int format = readByte(in, "value format of " + key);
        return switch (format) {
            case VOID -> null;
            case STRING -> countedString(in, key);
            case BYTE -> {
                need(in, 1, key);
                yield in.readByte();
            }
            case INT16 -> {
                need(in, 2, key);
                yield in.readShortLE();
            }
            case INT32 -> {
                need(in, 4, key);
                yield in.readIntLE();
            }
            case INT64 -> {
                need(in, 8, key);
                yield in.readLongLE();
            }
            case DATE -> {
                need(in, 8, key);
                yield Instant.ofEpochMilli(in.readLongLE());
            }
            case BYTES -> {
                int n = length(in, key);
                byte[] b = new byte[n];
                in.readBytes(b);
                yield b;
            }
            default -> throw FrameException.malformed("unknown value format " + format + " of field " + abbreviate(key));
        };
    }

    private static String countedString(ByteBuf in, String what) {
        int n = length(in, what);
        if (n == 0) {
            return null;
        }
        String s = in.toString(in.readerIndex(), n, StandardCharsets.UTF_8);
        in.skipBytes(n);
        return s;
    }

    /** An {@code int32} length, checked against the bytes left. */
    private static int length(ByteBuf in, String what) {
        need(in, 4, "length of " + abbreviate(what));
        int n = in.readIntLE();
        if (n < 0 || n > in.readableBytes()) {
            throw FrameException.malformed("length " + n + " of " + abbreviate(what) + " with " + in.readableBytes()
                    + " bytes left");
        }
        return n;
    }

    private static int readByte(ByteBuf in, String what) {
        need(in, 1, what);
        return in.readByte();
    }

    private static void need(ByteBuf in, int n, String what) {
        if (in.readableBytes() < n) {
            throw FrameException.malformed("truncated at the " + abbreviate(what));
        }
    }

    private static void writeCounted(ByteBuf out, String s) {
        if (s == null || s.isEmpty()) {
            out.writeIntLE(0);
            return;
        }
        int at = out.writerIndex();
        out.writeIntLE(0);
        int n = out.writeCharSequence(s, StandardCharsets.UTF_8);
        out.setIntLE(at, n);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}

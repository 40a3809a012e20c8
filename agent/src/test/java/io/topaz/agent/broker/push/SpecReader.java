package io.topaz.agent.broker.push;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a server frame as a client would, straight from docs/tmc-protocol.md ("Frame layout"), without the server's
 * decoder. Value formats: 1 string, 2 byte, 3 int16, 4 int32, 5 int64, 6 date (read as its epoch milliseconds, a
 * {@link Long} in {@link Reply#dates}), 7 byte array, 0 void (null).
 */
final class SpecReader {

    record Reply(int version, int type, Integer status, String phrase, Integer flag, String token,
                 Map<String, Object> fields, Map<String, Long> dates) {
    }

    private SpecReader() {
    }

    static Reply read(byte[] frame) {
        ByteBuffer b = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
        int version = b.get();
        int type = b.get();
        Integer status = null;
        String phrase = null;
        Integer flag = null;
        String token = null;
        Map<String, Object> fields = new LinkedHashMap<>();
        Map<String, Long> dates = new LinkedHashMap<>();
        while (true) {
            int header = b.getShort();
            switch (header) {
                case 0 -> {
                    if (b.hasRemaining()) {
                        throw new AssertionError(b.remaining() + " bytes after the end of headers");
                    }
                    return new Reply(version, type, status, phrase, flag, token, fields, dates);
                }
                case 1 -> {
                    String key = counted(b);
                    int format = b.get();
                    switch (format) {
                        case 0 -> fields.put(key, null);
                        case 1 -> fields.put(key, counted(b));
                        case 2 -> fields.put(key, b.get());
                        case 3 -> fields.put(key, b.getShort());
                        case 4 -> fields.put(key, b.getInt());
                        case 5 -> fields.put(key, b.getLong());
                        case 6 -> dates.put(key, b.getLong());
                        case 7 -> {
                            byte[] v = new byte[b.getInt()];
                            b.get(v);
                            fields.put(key, v);
                        }
                        default -> throw new AssertionError("value format " + format);
                    }
                }
                case 2 -> status = b.getInt();
                case 3 -> phrase = counted(b);
                case 4 -> flag = b.getInt();
                case 5 -> token = counted(b);
                default -> throw new AssertionError("header type " + header);
            }
        }
    }

    private static String counted(ByteBuffer b) {
        int n = b.getInt();
        if (n == 0) {
            return null;
        }
        byte[] s = new byte[n];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }
}

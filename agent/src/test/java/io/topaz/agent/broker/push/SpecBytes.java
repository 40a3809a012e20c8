package io.topaz.agent.broker.push;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Frames written byte by byte from docs/tmc-protocol.md ("Frame layout"), independently of the server's encoder:
 * what a TOP message client puts on the wire. Little-endian throughout.
 */
final class SpecBytes {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static SpecBytes frame(int version, int messageType) {
        SpecBytes b = new SpecBytes();
        b.out.write(version);
        b.out.write(messageType);
        return b;
    }

    SpecBytes int8(int v) {
        out.write(v);
        return this;
    }

    SpecBytes int16(int v) {
        out.write(v & 0xff);
        out.write((v >>> 8) & 0xff);
        return this;
    }

    SpecBytes int32(int v) {
        for (int i = 0; i < 4; i++) {
            out.write((v >>> (8 * i)) & 0xff);
        }
        return this;
    }

    SpecBytes int64(long v) {
        for (int i = 0; i < 8; i++) {
            out.write((int) ((v >>> (8 * i)) & 0xff));
        }
        return this;
    }

    SpecBytes counted(String s) {
        if (s == null) {
            return int32(0);
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int32(b.length);
        out.writeBytes(b);
        return this;
    }

    SpecBytes raw(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    /** Header 1 with value format 1. */
    SpecBytes stringField(String key, String value) {
        return int16(1).counted(key).int8(1).counted(value);
    }

    /** Header 1 with value format 5. */
    SpecBytes longField(String key, long value) {
        return int16(1).counted(key).int8(5).int64(value);
    }

    /** Header 1 with value format 2. */
    SpecBytes byteField(String key, int value) {
        return int16(1).counted(key).int8(2).int8(value);
    }

    SpecBytes flag(int flag) {
        return int16(4).int32(flag);
    }

    SpecBytes token(String token) {
        return int16(5).counted(token);
    }

    /** Header 0 (end of headers) and the bytes. */
    byte[] end() {
        int16(0);
        return out.toByteArray();
    }

    /** The bytes so far, without the end of headers. */
    byte[] bytes() {
        return out.toByteArray();
    }
}

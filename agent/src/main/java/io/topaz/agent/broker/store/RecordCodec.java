package io.topaz.agent.broker.store;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * One record on disk:
 * <pre>
 *  crc32c:int  timestamp:long  keyLength:int  valueLength:int (-1 = tombstone)  key  value
 *  └ covers everything after it ┘
 * </pre>
 * Big-endian. A record whose CRC does not match is never returned as data.
 */
final class RecordCodec {

    static final int HEADER = 4 + 8 + 4 + 4;
    static final int MAX_KEY = 64 * 1024;
    static final int MAX_VALUE = 16 * 1024 * 1024;

    private RecordCodec() {
    }

    static int size(byte[] key, byte[] value) {
        return HEADER + key.length + (value == null ? 0 : value.length);
    }

    /** Writes the record at the buffer's position. */
    static void write(ByteBuffer to, long timestamp, byte[] key, byte[] value) {
        int start = to.position();
        to.putInt(0);
        to.putLong(timestamp);
        to.putInt(key.length);
        to.putInt(value == null ? -1 : value.length);
        to.put(key);
        if (value != null) {
            to.put(value);
        }
        CRC32C crc = new CRC32C();
        crc.update(to.duplicate().position(start + 4).limit(to.position()));
        to.putInt(start, (int) crc.getValue());
    }

    /** A decoded record; {@code value} is null for a tombstone. */
    record Decoded(long timestamp, byte[] key, byte[] value, int size) {
    }

    /** Outcome of reading at an offset: a record, the end of written data, or corruption. */
    sealed interface Read permits Ok, End, Corrupt {
    }

    record Ok(Decoded record) implements Read {
    }

    record End() implements Read {
    }

    record Corrupt(String why) implements Read {
    }

    /** Reads the record at {@code offset} of {@code buf} (absolute, up to {@code limit}). */
    static Read read(ByteBuffer buf, int offset, int limit) {
        if (limit - offset < HEADER) {
            return new End();
        }
        int crc = buf.getInt(offset);
        long ts = buf.getLong(offset + 4);
        int keyLen = buf.getInt(offset + 12);
        int valueLen = buf.getInt(offset + 16);
        if (crc == 0 && ts == 0 && keyLen == 0 && valueLen == 0) {
            return new End(); // zeroed space of a preallocated segment: nothing written here yet
        }
        if (keyLen <= 0 || keyLen > MAX_KEY || valueLen < -1 || valueLen > MAX_VALUE) {
            return new Corrupt("impossible lengths (key " + keyLen + ", value " + valueLen + ")");
        }
        int size = HEADER + keyLen + Math.max(0, valueLen);
        if (offset + size > limit) {
            return new Corrupt("record of " + size + " bytes runs past the end of the data");
        }
        CRC32C c = new CRC32C();
        c.update(buf.duplicate().position(offset + 4).limit(offset + size));
        if ((int) c.getValue() != crc) {
            return new Corrupt("CRC mismatch");
        }
        byte[] key = new byte[keyLen];
        buf.get(offset + HEADER, key);
        byte[] value = null;
        if (valueLen >= 0) {
            value = new byte[valueLen];
            buf.get(offset + HEADER + keyLen, value);
        }
        return new Ok(new Decoded(ts, key, value, size));
    }
}

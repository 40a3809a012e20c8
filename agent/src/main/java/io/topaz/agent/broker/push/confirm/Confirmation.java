package io.topaz.agent.broker.push.confirm;

import io.netty.buffer.ByteBuf;
import io.topaz.agent.broker.QueueName;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One client answer to a push: message {@code id} of {@code queue} confirmed, or reported failed (delivered again
 * after the queue's failure backoff). Encoded for the direct-memory and file tiers as
 * {@code int8 failed, int64 id, int16 keyLength, UTF-8 queue key} (big-endian).
 */
public record Confirmation(QueueName queue, long id, boolean failed) {

    /** The encoded size in bytes. */
    int size() {
        return 1 + 8 + 2 + queue.key().getBytes(StandardCharsets.UTF_8).length;
    }

    void writeTo(ByteBuf out) {
        byte[] key = queue.key().getBytes(StandardCharsets.UTF_8);
        out.writeByte(failed ? 1 : 0).writeLong(id).writeShort(key.length).writeBytes(key);
    }

    void writeTo(ByteBuffer out) {
        byte[] key = queue.key().getBytes(StandardCharsets.UTF_8);
        out.put((byte) (failed ? 1 : 0)).putLong(id).putShort((short) key.length).put(key);
    }

    static Confirmation readFrom(ByteBuf in) {
        boolean failed = in.readByte() != 0;
        long id = in.readLong();
        byte[] key = new byte[in.readUnsignedShort()];
        in.readBytes(key);
        return new Confirmation(QueueName.parse(new String(key, StandardCharsets.UTF_8)), id, failed);
    }

    static Confirmation readFrom(ByteBuffer in) {
        boolean failed = in.get() != 0;
        long id = in.getLong();
        byte[] key = new byte[Short.toUnsignedInt(in.getShort())];
        in.get(key);
        return new Confirmation(QueueName.parse(new String(key, StandardCharsets.UTF_8)), id, failed);
    }
}

package io.topaz.agent.broker.queue;

import io.topaz.agent.broker.BrokerMessage;
import io.topaz.agent.broker.DeadLetter;
import io.topaz.agent.broker.QueueName;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;

/**
 * The engine's values on disk, big-endian, each starting with a format version byte: a message (the message log's
 * record value), a dead letter and a queue's state (values in the state store).
 */
final class Codec {

    private static final byte VERSION = 1;

    private Codec() {
    }

    static byte[] message(BrokerMessage m) {
        byte[] topic = utf8(m.topic());
        byte[] publisher = utf8(m.publisher());
        byte[] nick = utf8(m.userNick());
        byte[] content = utf8(m.content());
        ByteBuffer b = ByteBuffer.allocate(1 + 8 + 8 + 8 + 8 + 4 * 4 + topic.length + publisher.length + nick.length
                + content.length);
        b.put(VERSION).putLong(m.id()).putLong(m.pubTimeMillis()).putLong(m.userId()).putLong(m.dataId());
        putBytes(b, topic);
        putBytes(b, publisher);
        putBytes(b, nick);
        putBytes(b, content);
        return b.array();
    }

    /** Where {@link #message(BrokerMessage)}'s bytes hold the content's UTF-8 bytes: their offset in the value. */
    static int contentOffset(BrokerMessage m) {
        return 1 + 8 * 4 + 4 * 4 + utf8Length(m.topic()) + utf8Length(m.publisher()) + utf8Length(m.userNick());
    }

    static int utf8Length(String s) {
        return io.netty.buffer.ByteBufUtil.utf8Bytes(s);
    }

    static BrokerMessage message(byte[] bytes) {
        return message(ByteBuffer.wrap(bytes));
    }

    private static BrokerMessage message(ByteBuffer b) {
        version(b);
        long id = b.getLong();
        long pubTime = b.getLong();
        long userId = b.getLong();
        long dataId = b.getLong();
        String topic = string(b);
        String publisher = string(b);
        String nick = string(b);
        String content = string(b);
        return new BrokerMessage(id, topic, publisher, pubTime, userId, nick, content, dataId);
    }

    static byte[] deadLetter(DeadLetter d) {
        byte[] message = message(d.message());
        byte[] queue = utf8(d.queue().key());
        byte[] reason = utf8(d.reason());
        ByteBuffer b = ByteBuffer.allocate(1 + 8 + 4 + 4 * 3 + message.length + queue.length + reason.length);
        b.put(VERSION).putLong(d.deadAtMillis()).putInt(d.attempts());
        putBytes(b, queue);
        putBytes(b, reason);
        putBytes(b, message);
        return b.array();
    }

    static DeadLetter deadLetter(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        version(b);
        long deadAt = b.getLong();
        int attempts = b.getInt();
        QueueName queue = QueueName.parse(string(b));
        String reason = string(b);
        int length = b.getInt();
        return new DeadLetter(message(b.slice(b.position(), length)), queue, deadAt, attempts, reason);
    }

    /** A queue's durable state: see {@link QueueState}. */
    record State(long confirmPos, BitSet confirmedAbove, long[] doneAhead, long delivered, long confirmed,
                 long redelivered, long deadLettered) {
    }

    static byte[] state(State s) {
        long[] words = s.confirmedAbove().toLongArray();
        ByteBuffer b = ByteBuffer.allocate(1 + 8 * 5 + 4 + 8 * words.length + 4 + 8 * s.doneAhead().length);
        b.put(VERSION).putLong(s.confirmPos()).putLong(s.delivered()).putLong(s.confirmed())
                .putLong(s.redelivered()).putLong(s.deadLettered()).putInt(words.length);
        for (long w : words) {
            b.putLong(w);
        }
        b.putInt(s.doneAhead().length);
        for (long i : s.doneAhead()) {
            b.putLong(i);
        }
        return b.array();
    }

    static State state(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        version(b);
        long confirmPos = b.getLong();
        long delivered = b.getLong();
        long confirmed = b.getLong();
        long redelivered = b.getLong();
        long deadLettered = b.getLong();
        long[] words = new long[b.getInt()];
        for (int i = 0; i < words.length; i++) {
            words[i] = b.getLong();
        }
        long[] ahead = new long[b.getInt()];
        for (int i = 0; i < ahead.length; i++) {
            ahead[i] = b.getLong();
        }
        return new State(confirmPos, BitSet.valueOf(words), ahead, delivered, confirmed, redelivered, deadLettered);
    }

    private static void version(ByteBuffer b) {
        byte v = b.get();
        if (v != VERSION) {
            throw new IllegalStateException("unknown format version " + v);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void putBytes(ByteBuffer b, byte[] bytes) {
        b.putInt(bytes.length).put(bytes);
    }

    private static String string(ByteBuffer b) {
        byte[] bytes = new byte[b.getInt()];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}

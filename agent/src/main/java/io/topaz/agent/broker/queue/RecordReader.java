package io.topaz.agent.broker.queue;

import io.micrometer.core.instrument.Counter;
import io.topaz.agent.broker.BrokerMessage;
import io.topaz.agent.broker.ContentFile;
import io.topaz.agent.broker.store.ConsumeQueue;
import io.topaz.agent.broker.store.CorruptRecordException;
import io.topaz.agent.broker.store.MessageLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;

/**
 * Reads back what {@link QueueEngine}'s files hold: a message at a log position, checked against the id its queue
 * entry names (what cannot be read is counted in {@code topaz.broker.corrupt} or {@code topaz.broker.missing}, logged
 * and skipped); where a message's content lies in the log's files; a queue's head entry and the age of its oldest
 * unconfirmed message. Callers hold the engine's lock.
 */
final class RecordReader {

    /** The engine's logger: messages keep the category they had before this class was split out of it. */
    private static final Logger log = LoggerFactory.getLogger(QueueEngine.class);

    private final Path dir;
    private final MessageLog messages;
    private final Counter corrupt;
    private final Counter missing;

    RecordReader(Path dir, MessageLog messages, Counter corrupt, Counter missing) {
        this.dir = dir;
        this.messages = messages;
        this.corrupt = corrupt;
        this.missing = missing;
    }

    /** The message at {@code position}, or null (counted, logged) when it cannot be read back as message {@code id}. */
    BrokerMessage readMessage(long position, long id) {
        MessageLog.Read r = readRecord(position, id);
        if (r == null) {
            return null;
        }
        try {
            return Codec.message(r.value());
        } catch (RuntimeException e) {
            corrupt.increment();
            log.error("message store {}: message {} at {} does not decode ({}); skipped", dir, id, position,
                    e.toString());
            return null;
        }
    }

    /** Where the content of message {@code m}, read at {@code position}, lies in the message log's files. */
    ContentFile contentFile(long position, BrokerMessage m) {
        MessageLog.ValueAt at = messages.valueAt(position);
        return at == null ? null
                : new ContentFile(at.file(), at.offset() + Codec.contentOffset(m), Codec.utf8Length(m.content()));
    }

    MessageLog.Read readRecord(long position, long id) {
        MessageLog.Read r;
        try {
            r = messages.read(position);
        } catch (CorruptRecordException e) {
            corrupt.increment();
            log.error("message store {}: message {} cannot be read: {}; skipped", dir, id, e.getMessage());
            return null;
        }
        if (r == null) {
            missing.increment();
            return null;
        }
        if (r.key() != id) {
            corrupt.increment();
            log.error("message store {}: the log holds message {} where message {} was referenced (a torn write); "
                    + "skipped", dir, r.key(), id);
            return null;
        }
        return r;
    }

    /** Counts a queue entry that is not valid (a torn write). */
    void countCorrupt() {
        corrupt.increment();
    }

    /** The first entry not done at or above the confirm position, below {@code limit}, or null. */
    static ConsumeQueue.Entry headEntry(QueueState q, long limit) {
        long from = q.window.confirmPos();
        while (from < limit) {
            List<ConsumeQueue.Entry> es = q.file.read(from, 64, limit);
            if (es.isEmpty()) {
                return null;
            }
            for (ConsumeQueue.Entry e : es) {
                if (!q.isDone(e.index()) && e.valid()) {
                    return e;
                }
            }
            from = es.get(es.size() - 1).index() + 1;
        }
        return null;
    }

    /** Milliseconds since the log timestamp (publish time) of the queue's oldest unconfirmed message; 0 if none. */
    long oldestAge(QueueState q, long now) {
        ConsumeQueue.Entry head = headEntry(q, q.file.writeIndex());
        if (head == null) {
            return 0;
        }
        try {
            MessageLog.Read r = messages.read(head.position());
            return r == null ? 0 : Math.max(0, now - r.timestamp());
        } catch (CorruptRecordException e) {
            return 0;
        }
    }
}

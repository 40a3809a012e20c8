package io.topaz.agent.broker;

/** Why the broker could not do what it was asked; the message is safe to show to the caller. */
public final class BrokerException extends RuntimeException {

    public enum Kind {
        /** Too many appends wait for the disk, or a backlog limit: retry later. */
        OVERLOADED,
        /** An owner of a receiving queue, ZooKeeper or the id allocator cannot be reached now: retry later. */
        UNAVAILABLE,
        /** The request itself is wrong (unknown queue, bad arguments). */
        INVALID,
        /** A disk or an unexpected failure; nothing acknowledged. */
        INTERNAL
    }

    private final Kind kind;

    public BrokerException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public BrokerException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}

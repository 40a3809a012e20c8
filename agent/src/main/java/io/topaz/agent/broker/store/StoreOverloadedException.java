package io.topaz.agent.broker.store;

/**
 * An append was refused at once because too many appends already wait for a group commit: the disk is not keeping
 * up. Nothing was written; the caller may retry later or shed the message.
 */
public final class StoreOverloadedException extends RuntimeException {
    public StoreOverloadedException(String message) {
        super(message);
    }
}

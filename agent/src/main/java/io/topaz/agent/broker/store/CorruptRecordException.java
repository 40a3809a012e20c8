package io.topaz.agent.broker.store;

/** A record failed its CRC (or could not be read) where the key directory points: its bytes are never returned. */
public final class CorruptRecordException extends RuntimeException {
    public CorruptRecordException(String message) {
        super(message);
    }
}

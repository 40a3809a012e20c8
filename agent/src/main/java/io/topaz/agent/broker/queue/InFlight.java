package io.topaz.agent.broker.queue;

/**
 * A message handed out and not yet confirmed: where its reference is (queue index, log position), how many times it
 * was delivered, and when it is due again. Mutable, guarded by the engine's lock.
 */
final class InFlight {

    final long id;
    final long pubTime;
    long index;
    long position;
    int size;
    int attempts;
    long dueAt;

    InFlight(long id, long pubTime, long index, long position, int size, int attempts, long dueAt) {
        this.id = id;
        this.pubTime = pubTime;
        this.index = index;
        this.position = position;
        this.size = size;
        this.attempts = attempts;
        this.dueAt = dueAt;
    }
}

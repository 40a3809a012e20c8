package io.topaz.agent.broker.queue;

import io.micrometer.core.instrument.MeterRegistry;
import io.topaz.agent.broker.store.LogStore;
import io.topaz.agent.broker.store.MessageLog;

import java.nio.file.Path;
import java.time.Clock;

/**
 * What {@link QueueEngine} and its collaborators share: the engine's directory, settings, clock and meter registry,
 * its two stores (the message log and the state store), its one lock and whether it is closed. Every operation on
 * queues holds {@link #mutex}; {@link #closed} is set under it and may be read without it.
 */
final class EngineContext {

    final Path dir;
    final QueueEngine.Options options;
    final Clock clock;
    final MeterRegistry registry;
    final MessageLog messages;
    final LogStore state;
    /** The engine's lock: serializes appends, consumes, confirms, dead letters and reclamation. */
    final Object mutex = new Object();
    volatile boolean closed;

    EngineContext(Path dir, QueueEngine.Options options, Clock clock, MeterRegistry registry, MessageLog messages,
                  LogStore state) {
        this.dir = dir;
        this.options = options;
        this.clock = clock;
        this.registry = registry;
        this.messages = messages;
        this.state = state;
    }
}

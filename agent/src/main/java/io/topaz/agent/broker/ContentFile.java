package io.topaz.agent.broker;

import java.nio.file.Path;

/**
 * Where a delivered message's content lies on this agent's disk: its UTF-8 bytes, exactly as a push frame carries
 * them, are the {@code length} bytes at {@code offset} of {@code file} (a message-log segment, append-only: the
 * bytes never change while the message is in flight). Lets the push path send them as a file region (zero-copy)
 * instead of copying them through the heap. Only meaningful on the agent that read it; never sent to another.
 */
public record ContentFile(Path file, long offset, int length) {
}

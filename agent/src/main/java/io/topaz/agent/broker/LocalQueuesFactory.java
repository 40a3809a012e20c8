package io.topaz.agent.broker;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Opens an agent's message storage ({@link LocalQueues}) in a directory of its data dir: the storage engine by
 * default, another one in tests (TopazAgent.start).
 */
@FunctionalInterface
public interface LocalQueuesFactory {

    LocalQueues open(Path dir, Clock clock) throws IOException;
}

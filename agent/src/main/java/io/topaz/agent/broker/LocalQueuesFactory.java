package io.topaz.agent.broker;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Opens an agent's message storage ({@link LocalQueues}) in a directory of its data dir. The agent takes one at start
 * so that the storage engine plugs in without the agent depending on its class.
 */
@FunctionalInterface
public interface LocalQueuesFactory {

    /** The factory of an agent built without a storage engine: starting a broker fails, saying so. */
    LocalQueuesFactory NONE = (dir, clock) -> {
        throw new IllegalArgumentException("--broker-port needs the broker's storage engine, which this build of the "
                + "agent does not have yet; start the agent without --broker-port");
    };

    LocalQueues open(Path dir, Clock clock) throws IOException;
}

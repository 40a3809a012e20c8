package io.topaz.console.fleet;

import java.time.Instant;
import java.util.OptionalDouble;

/**
 * What one scrape of an agent's {@code /metrics} told: whether it answered, whether it is connected to ZooKeeper, and
 * the gateway's call and error counters (empty while the agent runs no gateway that counts them).
 */
record AgentSample(Instant at, boolean answered, boolean zookeeperConnected, OptionalDouble requestsTotal,
                   OptionalDouble errorsTotal) {

    static AgentSample noAnswer(Instant at) {
        return new AgentSample(at, false, false, OptionalDouble.empty(), OptionalDouble.empty());
    }
}

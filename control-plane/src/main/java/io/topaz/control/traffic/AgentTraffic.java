package io.topaz.control.traffic;

import java.util.List;

/**
 * One live agent's gateway traffic as the latest poll saw it.
 *
 * @param agent              the agent's id
 * @param reporting          its {@code /metrics} answered the latest poll; when false the other fields are those of
 *                           its last answer
 * @param zookeeperConnected it reported being connected to ZooKeeper at its last answer
 * @param requestsPerSecond  gateway calls per second over the last interval it was measured (0 until two answers)
 * @param errorsPerSecond    of which answered with a TOP error
 * @param requestsTotal      its gateway's call counter (since the agent started)
 * @param errorsTotal        its gateway's error counter
 * @param points             its recent rates, oldest first, one per poll it answered after its first
 */
public record AgentTraffic(String agent, boolean reporting, boolean zookeeperConnected, double requestsPerSecond,
                           double errorsPerSecond, double requestsTotal, double errorsTotal,
                           List<AgentRatePoint> points) {

    public AgentTraffic {
        points = List.copyOf(points);
    }
}

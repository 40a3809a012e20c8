package io.topaz.console.controlplane;

import java.util.List;

/**
 * Every live agent's gateway calls and errors per second, from the control plane's latest poll of the agents
 * ({@code GET /api/v1/traffic/agents}): the console reads them here and never reaches an agent itself.
 *
 * @param at when the poll ran (ISO-8601), null before the first
 */
public record AgentsTraffic(String at, List<Agent> agents) {

    public AgentsTraffic {
        agents = agents == null ? List.of() : List.copyOf(agents);
    }

    /**
     * One agent.
     *
     * @param reporting          its {@code /metrics} answered the control plane's latest poll
     * @param zookeeperConnected it said it was connected to ZooKeeper at its last answer
     * @param points             its recent rates, oldest first, one per poll it answered
     */
    public record Agent(String agent, boolean reporting, boolean zookeeperConnected, double requestsPerSecond,
                        double errorsPerSecond, double requestsTotal, double errorsTotal, List<Point> points) {

        public Agent {
            points = points == null ? List.of() : List.copyOf(points);
        }
    }

    /** One poll's rates; {@code at} is ISO-8601. */
    public record Point(String at, double requestsPerSecond, double errorsPerSecond) {
    }
}

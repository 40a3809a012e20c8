package io.topaz.console.fleet;

/** How an agent looks from the console: its admin port answers, and it is connected to ZooKeeper. */
public enum AgentHealth {
    /** Not scraped yet. */
    UNKNOWN("…"),
    UP("up"),
    /** The admin port answers but the agent has lost ZooKeeper: it serves its last release and cannot get new ones. */
    ZOOKEEPER_LOST("ZooKeeper lost"),
    /** Registered in ZooKeeper, but its admin port does not answer the console. */
    NO_ANSWER("admin port not answering");

    private final String label;

    AgentHealth(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    static AgentHealth of(AgentSample s) {
        if (!s.answered()) {
            return NO_ANSWER;
        }
        return s.zookeeperConnected() ? UP : ZOOKEEPER_LOST;
    }
}

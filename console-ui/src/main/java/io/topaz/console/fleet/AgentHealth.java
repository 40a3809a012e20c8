package io.topaz.console.fleet;

import io.topaz.console.controlplane.AgentsTraffic;

/**
 * How an agent looks from the control plane's latest poll of its {@code /metrics}: it answered, and it is connected
 * to ZooKeeper. The console asks the control plane, never the agent.
 */
public enum AgentHealth {
    /** Not polled by the control plane yet. */
    UNKNOWN("…"),
    UP("up"),
    /** It answers but has lost ZooKeeper: it serves its last release and cannot get new ones. */
    ZOOKEEPER_LOST("ZooKeeper lost"),
    /** Registered in ZooKeeper, but its admin port does not answer the control plane's poll. */
    NO_ANSWER("metrics not answering");

    private final String label;

    AgentHealth(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    static AgentHealth of(AgentsTraffic.Agent traffic) {
        if (traffic == null) {
            return UNKNOWN;
        }
        if (!traffic.reporting()) {
            return NO_ANSWER;
        }
        return traffic.zookeeperConnected() ? UP : ZOOKEEPER_LOST;
    }
}

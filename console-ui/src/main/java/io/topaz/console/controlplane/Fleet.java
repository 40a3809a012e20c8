package io.topaz.console.controlplane;

import java.util.List;

/** The fleet view: the live release and every live agent. */
public record Fleet(long liveRelease, int agents, int lagging, List<AgentStatus> items) {

    public Fleet {
        items = items == null ? List.of() : List.copyOf(items);
    }
}

package io.topaz.control.messages;

import io.topaz.model.fleet.AgentInfo;
import tools.jackson.databind.JsonNode;

/**
 * One agent's answer to one call on its broker port: the JSON body of a 2xx answer, or why there is none (no answer
 * within the timeout, a refused connection, a non-2xx status). The operator sees the agent as unreachable.
 */
public record AgentAnswer(AgentInfo agent, JsonNode body, String failure) {

    static AgentAnswer ok(AgentInfo agent, JsonNode body) {
        return new AgentAnswer(agent, body, null);
    }

    static AgentAnswer failed(AgentInfo agent, String failure) {
        return new AgentAnswer(agent, null, failure);
    }

    public boolean answered() {
        return failure == null;
    }
}

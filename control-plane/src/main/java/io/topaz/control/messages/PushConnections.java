package io.topaz.control.messages;

import io.topaz.control.audit.AuditAction;
import io.topaz.control.audit.AuditLog;
import io.topaz.control.messages.MessageViews.ConnectionView;
import io.topaz.control.messages.MessageViews.DisconnectResult;
import io.topaz.control.messages.MessageViews.MessageConnections;
import io.topaz.control.web.ApiException;
import io.topaz.model.fleet.AgentInfo;
import io.topaz.model.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The push WebSocket's connections over every live broker agent ({@code GET /internal/v1/connections} on each), and an
 * operator's disconnect of one ({@code POST /internal/v1/connections/disconnect} on its agent; audited). The agent
 * closes it with 1000 and a reason naming the operator; its unconfirmed messages go back to its queue.
 */
@Service
class PushConnections {

    private static final Logger log = LoggerFactory.getLogger(PushConnections.class);
    static final String AUDIT_KIND = "push-connections";

    private final BrokerAgents agents;
    private final AuditLog audit;
    private final Clock clock;

    PushConnections(BrokerAgents agents, AuditLog audit, Clock clock) {
        this.agents = agents;
        this.audit = audit;
        this.clock = clock;
    }

    MessageConnections list() throws Exception {
        long at = clock.millis();
        List<ConnectionView> views = new ArrayList<>();
        List<String> unreachable = new ArrayList<>();
        for (AgentAnswer a : agents.getAll(agents.brokers(), "/internal/v1/connections")) {
            AgentPayloads.Connections c = a.answered() ? read(a) : null;
            if (c == null || c.connections() == null) {
                unreachable.add(a.agent().id());
                continue;
            }
            for (AgentPayloads.Connection x : c.connections()) {
                if (x == null || x.id() == null || x.app() == null) {
                    continue;
                }
                views.add(new ConnectionView(a.agent().id(), x.id(), x.app(), x.group(), x.remote(),
                        x.sinceMillis() <= 0 ? null : Instant.ofEpochMilli(x.sinceMillis()).toString(), x.sinceMillis(),
                        x.inFlight(), x.pushed(), x.confirmed()));
            }
        }
        views.sort(Comparator.comparing(ConnectionView::app).thenComparing(ConnectionView::group,
                Comparator.nullsFirst(Comparator.naturalOrder())).thenComparing(ConnectionView::agentId)
                .thenComparing(ConnectionView::id));
        return new MessageConnections(Instant.ofEpochMilli(at).toString(), at, List.copyOf(views),
                List.copyOf(unreachable));
    }

    /**
     * Asks agent {@code agentId} to close connection {@code id}. 404 when no live broker agent has that id; 503 when
     * it does not answer; {@code disconnected} false when it has no such connection (already gone).
     */
    DisconnectResult disconnect(String agentId, String id, String actor) throws Exception {
        Optional<AgentInfo> agent = agents.brokers().stream().filter(a -> a.id().equals(agentId)).findFirst();
        if (agent.isEmpty()) {
            throw ApiException.notFound("no live broker agent '" + agentId + "'");
        }
        AgentAnswer a = agents.post(agent.get(), "/internal/v1/connections/disconnect", Map.of("id", id, "by", actor))
                .join();
        JsonNode done = a.answered() ? a.body().get("disconnected") : null;
        if (done == null || !done.isBoolean()) {
            log.warn("agent {} did not disconnect push connection {}: {}", agentId, id,
                    a.answered() ? a.body() : a.failure());
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "agent '" + agentId + "' did not answer: "
                    + (a.answered() ? "unreadable answer" : a.failure()));
        }
        audit.record(actor, AuditAction.PUSH_DISCONNECT, AUDIT_KIND, agentId + "/" + id, null, null,
                AuditLog.detail("agent", agentId, "connection", id, "disconnected", done.asBoolean()));
        return new DisconnectResult(agentId, id, done.asBoolean());
    }

    private static AgentPayloads.Connections read(AgentAnswer a) {
        try {
            return Json.lenient().treeToValue(a.body(), AgentPayloads.Connections.class);
        } catch (RuntimeException e) {
            log.warn("agent {} answered connections this control plane cannot read: {}", a.agent().id(),
                    e.getMessage());
            return null;
        }
    }
}

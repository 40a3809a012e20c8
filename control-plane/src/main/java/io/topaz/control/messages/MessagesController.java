package io.topaz.control.messages;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.topaz.control.messages.MessageService.DeadLetterAction;
import io.topaz.control.messages.MessageViews.DeadLetterActionResult;
import io.topaz.control.messages.MessageViews.DeadLetterPage;
import io.topaz.control.messages.MessageViews.DisconnectResult;
import io.topaz.control.messages.MessageViews.MessageConnections;
import io.topaz.control.messages.MessageViews.MessageQueues;
import io.topaz.model.validation.Checks;
import io.topaz.model.validation.ConfigValidationException;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code /api/v1/messages}: the message service's queues and dead letters, read from every live broker agent through
 * its authenticated internal API. Viewers read; operators replay and purge (audited, one row per request).
 */
@RestController
@Tag(name = "Messages", description = "The message service's queues and dead-letter queues, gathered from the broker agents")
class MessagesController {

    /** At most this many ids per replay or purge. */
    static final int MAX_IDS = 1000;
    /** Message ids are positive and below 2^53. */
    static final long MAX_ID = (1L << 53) - 1;

    /** {@code {"app": "…", "ids": [1, 2, …]}}. */
    record DeadLetterIds(String app, List<Long> ids) {
    }

    private final MessageService messages;
    private final PushConnections connections;

    MessagesController(MessageService messages, PushConnections connections) {
        this.messages = messages;
        this.connections = connections;
    }

    @GetMapping("/api/v1/messages/connections")
    @Operation(summary = "Every broker agent's push (WebSocket) connections",
            description = "Asks every live agent with a broker port (GET /internal/v1/connections) at once. Each "
                    + "connection: its agent, its id on that agent, app, group, the client's address, since when it is "
                    + "connected, messages in flight (pushed, not yet confirmed or failed), pushed and confirmed since "
                    + "it connected. Agents that did not answer are listed in 'unreachable'.")
    MessageConnections pushConnections() throws Exception {
        return connections.list();
    }

    @DeleteMapping("/api/v1/messages/connections/{agent}/{id}")
    @Operation(summary = "Closes one push connection",
            description = "The agent closes the WebSocket with 1000 and a reason naming the operator; the connection's "
                    + "unconfirmed messages go back to its queue at once (the group's other connections, pull, or the "
                    + "client when it reconnects get them). 'disconnected' is false when the agent had no such "
                    + "connection (already closed). Unknown agent: 404; an agent that does not answer: 503. Audited "
                    + "(kind push-connections, key agent/id). Admins.")
    DisconnectResult disconnect(@PathVariable String agent, @PathVariable String id, Authentication auth)
            throws Exception {
        Checks c = new Checks();
        if (id == null || !id.matches("[0-9]{1,19}")) {
            c.fail("id", id, "must be a push connection's id (digits), as GET /api/v1/messages/connections lists it");
        }
        if (!c.errors().isEmpty()) {
            throw new ConfigValidationException("push connection", c.errors());
        }
        return connections.disconnect(agent, id, auth.getName());
    }

    @GetMapping("/api/v1/messages/queues")
    @Operation(summary = "Every broker agent's queues, and per-app totals",
            description = "Asks every live agent with a broker port for its queues (GET /internal/v1/queues) at once. "
                    + "'agents': each answering agent's (app/group) queues with backlog (stored, not confirmed; in "
                    + "flight included), in flight, the oldest unconfirmed message's age, the counters delivered, "
                    + "confirmed, redelivered and dead-lettered since the agent started (agentStartedAtMillis tells a "
                    + "restart), and the app's dead-letter queue size on that agent. 'apps': per app key, the same "
                    + "summed over groups and agents (the oldest age is the largest). Rates are the difference of two "
                    + "answers' counters per queue over their 'atMillis' (the console does this). Agents that did not "
                    + "answer within topaz.broker.request-timeout are listed in 'unreachable'.")
    MessageQueues queues() throws Exception {
        return messages.queues();
    }

    @GetMapping("/api/v1/messages/dead-letters")
    @Operation(summary = "One page of an app's dead letters over every broker agent, newest first",
            description = "app is required. Optional: topic; from and to (ISO-8601 instants: died at or after from, "
                    + "before to); page (from 0, default 0) and size (1-500, default 50). Only the newest 10,000 can be "
                    + "paged to ((page + 1) × size ≤ 10000): narrow with topic and time to go further. Each item names "
                    + "the agent holding it; total sums the agents that answered; agents that did not are listed in "
                    + "'unreachable'. Bad parameters: 400 naming each field.")
    DeadLetterPage deadLetters(@RequestParam(required = false) String app,
                               @RequestParam(required = false) String topic,
                               @RequestParam(required = false) String from,
                               @RequestParam(required = false) String to,
                               @RequestParam(required = false) String page,
                               @RequestParam(required = false) String size) throws Exception {
        return messages.deadLetters(DeadLetterQuery.parse(app, topic, from, to, page, size));
    }

    @PostMapping("/api/v1/messages/dead-letters/replay")
    @Operation(summary = "Sends dead letters of an app back to their queues",
            description = "Body {\"app\": \"…\", \"ids\": [message ids, 1-1000, no repeats]}. Sent to every broker agent "
                    + "(the one holding each dead letter moves it to the tail of the queue it died in, attempts reset); "
                    + "'done' sums how many the agents replayed, 'unreachable' lists those that did not answer. Audited "
                    + "(kind dead-letters, key the app, the ids in the detail). Operators.")
    DeadLetterActionResult replay(@RequestBody DeadLetterIds body, Authentication auth) throws Exception {
        return act(DeadLetterAction.REPLAY, body, auth);
    }

    @PostMapping("/api/v1/messages/dead-letters/purge")
    @Operation(summary = "Deletes dead letters of an app",
            description = "Body {\"app\": \"…\", \"ids\": [message ids, 1-1000, no repeats]}. Sent to every broker agent; "
                    + "'done' sums how many the agents deleted, 'unreachable' lists those that did not answer. Audited "
                    + "(kind dead-letters, key the app, the ids in the detail). Operators.")
    DeadLetterActionResult purge(@RequestBody DeadLetterIds body, Authentication auth) throws Exception {
        return act(DeadLetterAction.PURGE, body, auth);
    }

    private DeadLetterActionResult act(DeadLetterAction action, DeadLetterIds req, Authentication auth) throws Exception {
        Checks c = new Checks();
        c.appKey("app", req.app());
        if (req.ids() == null || req.ids().isEmpty()) {
            c.fail("ids", null, "must name at least one message id");
        } else if (req.ids().size() > MAX_IDS) {
            c.fail("ids", req.ids().size() + " ids", "must name at most " + MAX_IDS + " ids per request");
        } else {
            Set<Long> seen = new HashSet<>();
            for (int i = 0; i < req.ids().size(); i++) {
                Long id = req.ids().get(i);
                if (id == null || id < 1 || id > MAX_ID) {
                    c.fail("ids[" + i + "]", id, "must be a message id (1 to 2^53 - 1)");
                } else if (!seen.add(id)) {
                    c.fail("ids[" + i + "]", id, "must not repeat an id");
                }
            }
        }
        if (!c.errors().isEmpty()) {
            throw new ConfigValidationException("dead letters", c.errors());
        }
        return messages.act(action, req.app(), req.ids(), auth.getName());
    }
}

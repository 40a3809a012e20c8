package io.topaz.agent.broker.cluster;

import io.topaz.agent.broker.BrokerException;
import io.topaz.agent.broker.DeadLetter;
import io.topaz.agent.broker.DeadLetterQuery;
import io.topaz.agent.broker.LocalQueues;
import io.topaz.agent.broker.PublishHandler;
import io.topaz.agent.broker.QueueStats;
import io.topaz.agent.broker.cluster.BrokerServer.Reply;
import io.topaz.agent.broker.cluster.BrokerServer.Request;
import io.topaz.agent.broker.push.PushServer;
import io.topaz.model.json.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The routes of the broker port's internal API ({@link BrokerServer}): which roles may call each
 * {@code METHOD /internal/v1/...} and what it does, by the cluster broker, this agent's queues (on the local executor,
 * as they may read the disk), the publish handler and the push WebSocket. {@link BrokerServer} parses requests,
 * checks tokens and roles, turns failures into answers and writes them; a route returns its answer or fails.
 */
final class BrokerRoutes {

    private static final Set<String> AGENT = Set.of("AGENT");
    private static final Set<String> PUBLISHERS = Set.of("PUBLISHER", "AGENT");

    /** A route: the roles that may call it and its handler. */
    record Route(Set<String> roles, Function<Request, CompletableFuture<Reply>> handler) {
    }

    private final ClusterBroker broker;
    private final LocalQueues local;
    private final Executor localExecutor;
    private final AtomicReference<PublishHandler> publisher = new AtomicReference<>();
    private final AtomicReference<PushServer> push = new AtomicReference<>();
    private final Map<String, Route> routes = new LinkedHashMap<>();

    BrokerRoutes(ClusterBroker broker, Executor localExecutor) {
        this.broker = broker;
        this.local = broker.local();
        this.localExecutor = localExecutor;
        routes.put("POST /internal/v1/publish", new Route(PUBLISHERS, this::publish));
        routes.put("POST /internal/v1/store", new Route(AGENT, this::store));
        routes.put("POST /internal/v1/handoff", new Route(AGENT, this::handoff));
        routes.put("POST /internal/v1/consume", new Route(AGENT, this::consume));
        routes.put("POST /internal/v1/confirm", new Route(AGENT, this::confirm));
        routes.put("GET /internal/v1/queues", new Route(AGENT, this::queues));
        routes.put("GET /internal/v1/dead-letters", new Route(AGENT, this::deadLetters));
        routes.put("POST /internal/v1/dead-letters/replay", new Route(AGENT, this::replay));
        routes.put("POST /internal/v1/dead-letters/purge", new Route(AGENT, this::purge));
        routes.put("GET /internal/v1/connections", new Route(AGENT, this::connections));
        routes.put("POST /internal/v1/connections/disconnect", new Route(AGENT, this::disconnect));
    }

    /** See {@link BrokerServer#push}. */
    void push(PushServer server) {
        push.set(server);
    }

    /** See {@link BrokerServer#publishHandler}. */
    void publishHandler(PublishHandler handler) {
        publisher.set(handler);
    }

    /** The route of {@code "METHOD path"}, or null. */
    Route get(String methodAndPath) {
        return routes.get(methodAndPath);
    }

    /** Whether some route has {@code path}, by any method. */
    boolean knowsPath(String path) {
        return routes.keySet().stream().anyMatch(k -> k.endsWith(" " + path));
    }

    private CompletableFuture<Reply> publish(Request r) {
        PublishHandler h = publisher.get();
        if (h == null) {
            return CompletableFuture.failedFuture(new BrokerException(BrokerException.Kind.UNAVAILABLE,
                    "publishing not configured on this agent"));
        }
        return h.publish(r.caller().name(), r.body()).thenApply(Reply::ok);
    }

    private CompletableFuture<Reply> store(Request r) {
        Wire.StoreRequest s = Json.read(r.body(), Wire.StoreRequest.class);
        return broker.store(s.message(), s.queueNames(), r.hops()).thenApply(v -> Reply.ok(Map.of()));
    }

    private CompletableFuture<Reply> handoff(Request r) {
        Wire.HandoffRequest h = Json.read(r.body(), Wire.HandoffRequest.class);
        return broker.handoffIn(h.queueName(), h.messages(), r.hops()).thenApply(v -> Reply.ok(Map.of()));
    }

    private CompletableFuture<Reply> consume(Request r) {
        Wire.ConsumeRequest c = Json.read(r.body(), Wire.ConsumeRequest.class);
        return broker.consume(c.queueName(), c.max(), r.hops())
                .thenApply(d -> Reply.ok(new Wire.ConsumeAnswer(d)));
    }

    private CompletableFuture<Reply> confirm(Request r) {
        Wire.ConfirmRequest c = Json.read(r.body(), Wire.ConfirmRequest.class);
        return broker.confirm(c.queueName(), c.confirmedOrEmpty(), c.failedOrEmpty(), r.hops()).thenApply(Reply::ok);
    }

    private CompletableFuture<Reply> queues(Request r) {
        return CompletableFuture.supplyAsync(() -> {
            List<Map<String, Object>> items = new ArrayList<>();
            for (QueueStats s : local.stats()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("queue", s.queue().key());
                m.put("backlog", s.backlog());
                m.put("inFlight", s.inFlight());
                m.put("oldestUnconfirmedAgeMillis", s.oldestUnconfirmedAgeMillis());
                m.put("delivered", s.delivered());
                m.put("confirmed", s.confirmed());
                m.put("redelivered", s.redelivered());
                m.put("deadLettered", s.deadLettered());
                m.put("deadLetters", s.deadLetters());
                items.add(m);
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("agentId", broker.agentId());
            answer.put("queues", items);
            return Reply.ok(answer);
        }, localExecutor);
    }

    private CompletableFuture<Reply> connections(Request r) {
        PushServer p = push.get();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("agentId", broker.agentId());
        answer.put("connections", p == null ? List.of() : p.connectionList());
        return CompletableFuture.completedFuture(Reply.ok(answer));
    }

    private CompletableFuture<Reply> disconnect(Request r) {
        Wire.Disconnect d = Json.read(r.body(), Wire.Disconnect.class);
        if (d.id() == null || d.id().isBlank()) {
            throw new IllegalArgumentException("id: the connection's id is required");
        }
        PushServer p = push.get();
        String reason = "disconnected by an operator" + (d.by() == null || d.by().isBlank() ? "" : " (" + d.by() + ")")
                + "; unconfirmed messages will be delivered again";
        boolean done = p != null && p.disconnect(d.id(), reason);
        return CompletableFuture.completedFuture(Reply.ok(Map.of("disconnected", done)));
    }

    private CompletableFuture<Reply> deadLetters(Request r) {
        Map<String, List<String>> q = r.query().parameters();
        DeadLetterQuery query = new DeadLetterQuery(param(q, "app", null), param(q, "topic", null),
                number(q, "from", 0), number(q, "to", Long.MAX_VALUE), (int) number(q, "page", 0),
                (int) number(q, "size", 50));
        return CompletableFuture.supplyAsync(() -> {
            DeadLetterQuery.Page page = local.deadLetters(query);
            List<Map<String, Object>> items = new ArrayList<>();
            for (DeadLetter d : page.items()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("message", d.message());
                m.put("queue", d.queue().key());
                m.put("deadAtMillis", d.deadAtMillis());
                m.put("attempts", d.attempts());
                m.put("reason", d.reason());
                items.add(m);
            }
            return Reply.ok(Map.of("items", items, "total", page.total()));
        }, localExecutor);
    }

    private CompletableFuture<Reply> replay(Request r) {
        Wire.AppIds a = Json.read(r.body(), Wire.AppIds.class);
        List<Long> ids = a.validIds();
        return CompletableFuture.supplyAsync(() -> Reply.ok(Map.of("replayed", local.replay(a.app(), ids))),
                localExecutor);
    }

    private CompletableFuture<Reply> purge(Request r) {
        Wire.AppIds a = Json.read(r.body(), Wire.AppIds.class);
        List<Long> ids = a.validIds();
        return CompletableFuture.supplyAsync(() -> Reply.ok(Map.of("purged", local.purge(a.app(), ids))),
                localExecutor);
    }

    private static String param(Map<String, List<String>> q, String name, String fallback) {
        List<String> v = q.get(name);
        return v == null || v.isEmpty() || v.get(0).isEmpty() ? fallback : v.get(0);
    }

    private static long number(Map<String, List<String>> q, String name, long fallback) {
        String v = param(q, name, null);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, was '" + v + "'");
        }
    }
}

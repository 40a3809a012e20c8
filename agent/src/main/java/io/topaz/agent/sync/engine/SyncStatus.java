package io.topaz.agent.sync.engine;

import io.topaz.agent.admin.AdminServer;
import io.topaz.agent.sync.SellerScope;
import io.topaz.model.json.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The sync's face on the agent's admin port.
 *
 * <p>{@code GET /sync} → {@code {"groups":[{"target","group","holder","epoch","lagP50Millis","lagP99Millis",
 * "messages","sourceReads","readsSaved","writes","skipped","repairs":{"missed_message","lost_write","late_message"},
 * "backfill":{"state","copied"},"sellers","sellersBackfilling","lastReconcile","errors","lastError"}]}} — the groups running here, and those placed
 * here that cannot start (holder null, with the reason in {@code lastError}); each running group also shows
 * {@code connections} (its pool's size, its share of the cluster's budget) and {@code placedBy} ({@code placement}:
 * the control plane leader's placement, or {@code rendezvous}: the fallback). {@code "load"} is this agent's last load
 * report ({@code SyncAgentLoad}: per group changes/s and lag p99 over the last minute, connections held, backlog, the
 * 10 hottest sellers), as published in ZooKeeper.
 *
 * <p>{@code POST /sync/reconcile?target=…[&group=…][&seller=…][&from=ISO-8601][&to=ISO-8601]} (or the same fields
 * in a JSON body) runs a full reconciliation now ({@code FullReconciliation}: digests of key ranges, bisected to the
 * rows that differ, repaired through the conditional write): the target's groups held here (or one group, or one
 * seller — of those the group syncs), orders modified in {@code [from, to)} (default: everything up to now). Answers the counts
 * when done. It loads the orders database, so the admin port lets it through only with a token of role AGENT (the
 * control plane forwarding an operator's request) or ADMIN; {@code GET /sync} is open.
 */
public final class SyncStatus {

    private final SyncEngine engine;

    SyncStatus(SyncEngine engine) {
        this.engine = engine;
    }

    /** Serves {@code GET /sync} and {@code POST /sync/reconcile} on the agent's admin port. */
    public void install(AdminServer admin) {
        admin.route("/sync", (method, params, body) -> method.equals("GET")
                ? CompletableFuture.completedFuture(status())
                : CompletableFuture.failedFuture(new IllegalArgumentException(
                "GET /sync shows the order sync; POST /sync/reconcile reconciles")));
        admin.route("/sync/reconcile", (method, params, body) -> method.equals("POST")
                ? reconcile(params(params, body)).thenApply(m -> (Object) m)
                : CompletableFuture.failedFuture(new IllegalArgumentException("use POST /sync/reconcile with "
                + "target, and optionally group, seller, from, to (ISO-8601), as query parameters or a JSON body")));
    }

    public Map<String, Object> status() {
        List<Map<String, Object>> groups = new ArrayList<>();
        engine.groups().forEach((key, sync) -> {
            GroupMetrics m = engine.metrics(key);
            if (m != null) {
                Map<String, Object> g = group(sync, m.snapshot());
                g.put("connections", engine.poolSize(key));
                g.put("placedBy", engine.placedBy(sync.fence().group()));
                groups.add(g);
            }
        });
        engine.problems().forEach((key, why) -> {
            if (!engine.groups().containsKey(key)) {
                Map<String, Object> g = new LinkedHashMap<>();
                g.put("target", key.substring(0, key.indexOf('/')));
                g.put("group", key.substring(key.indexOf('/') + 1));
                g.put("holder", null);
                g.put("epoch", 0);
                g.put("errors", 1);
                g.put("lastError", why);
                groups.add(g);
            }
        });
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("groups", groups);
        out.put("load", engine.load());
        return out;
    }

    private static Map<String, Object> group(GroupSync sync, GroupMetrics.Snapshot s) {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("target", sync.fence().target());
        g.put("group", sync.fence().group());
        g.put("holder", sync.fence().holder());
        g.put("epoch", sync.fence().epoch());
        g.put("lagP50Millis", s.lagP50Millis());
        g.put("lagP99Millis", s.lagP99Millis());
        g.put("messages", s.messages());
        g.put("sourceReads", s.sourceReads());
        g.put("readsSaved", s.readsSaved());
        g.put("writes", s.writes());
        g.put("skipped", s.skipped());
        g.put("repairs", s.repairs());
        g.put("backfill", Map.of("state", s.backfillState(), "copied", s.backfillCopied()));
        g.put("sellers", sync.scope().sellers().size());
        g.put("sellersBackfilling", sync.sellersBackfilling());
        g.put("lastReconcile", s.lastReconcileMillis() < 0 ? null
                : Instant.ofEpochMilli(s.lastReconcileMillis()).toString());
        g.put("errors", s.errors());
        g.put("lastError", s.lastError());
        g.put("mergeRatio", s.mergeRatio());
        g.put("purged", s.purged());
        return g;
    }

    /**
     * The parameters of {@code POST /sync/reconcile}: the query's, overridden by a JSON object body's
     * ({@code {"target", "group", "seller", "from", "to"}}, as the control plane forwards it).
     *
     * @throws IllegalArgumentException when the body is not a JSON object
     */
    public static Map<String, String> params(Map<String, String> query, byte[] body) {
        Map<String, String> out = new LinkedHashMap<>(query);
        if (body == null || body.length == 0) {
            return out;
        }
        JsonNode n;
        try {
            n = Json.strict().readTree(body);
        } catch (JacksonException e) {
            n = null;
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("body: must be a JSON object {\"target\", \"group\", \"seller\", "
                    + "\"from\", \"to\"}");
        }
        for (String field : List.of("target", "group", "seller", "from", "to")) {
            JsonNode v = n.get(field);
            if (v != null && !v.isNull()) {
                out.put(field, v.isString() ? v.asString() : v.toString());
            }
        }
        return out;
    }

    /**
     * Runs an on-demand reconciliation on the sync executor; fails with {@link IllegalArgumentException} (a 400 naming
     * the parameter) for bad parameters or a target/group not synced here.
     */
    public CompletableFuture<Map<String, Object>> reconcile(Map<String, String> params) {
        String target = params.get("target");
        if (target == null || target.isBlank()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("target: required, the sync target "
                    + "to reconcile"));
        }
        String group = params.get("group");
        Long seller;
        long from;
        long to;
        try {
            seller = params.get("seller") == null ? null : Long.parseLong(params.get("seller"));
            from = params.get("from") == null ? 0 : Instant.parse(params.get("from")).toEpochMilli();
            to = params.get("to") == null ? engine.clock().millis() + 1
                    : Instant.parse(params.get("to")).toEpochMilli();
        } catch (NumberFormatException e) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("seller: must be a seller id (digits)"));
        } catch (DateTimeParseException e) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("from/to: must be ISO-8601 instants, "
                    + "e.g. 2026-01-01T00:00:00Z"));
        }
        if (from >= to) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("from: must be before to"));
        }
        List<GroupSync> chosen = new ArrayList<>();
        engine.groups().forEach((key, sync) -> {
            if (sync.fence().target().equals(target) && (group == null || group.equals(sync.fence().group()))) {
                chosen.add(sync);
            }
        });
        if (chosen.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("target: no group of '" + target + "'"
                    + (group == null ? "" : " named '" + group + "'") + " is synced on this agent (see GET /sync)"));
        }
        CompletableFuture<Map<String, Object>> done = new CompletableFuture<>();
        engine.executor().execute(() -> {
            try {
                List<Map<String, Object>> out = new ArrayList<>();
                for (GroupSync sync : chosen) {
                    SellerScope range = sync.scope();
                    if (seller != null) {
                        String nick = range.sellers().get(seller);
                        if (nick == null) {
                            continue; // not synced by this group (another group's, or no permit of the app)
                        }
                        range = range.only(seller, nick);
                    }
                    Reconciler.Result r = sync.reconcileFully(range, from, to);
                    Map<String, Object> g = new LinkedHashMap<>();
                    g.put("group", sync.fence().group());
                    g.put("differences", r.differences());
                    g.put("repaired", r.repaired());
                    g.put("search", r.search());
                    Map<String, Integer> reasons = new LinkedHashMap<>();
                    r.repairs().forEach((reason, n) -> reasons.put(reason.tag, n));
                    g.put("repairs", reasons);
                    out.add(g);
                }
                done.complete(Map.of("target", target, "groups", out));
            } catch (Exception e) {
                done.completeExceptionally(new IllegalStateException(SyncFailure.why(e), e));
            }
        });
        return done;
    }
}

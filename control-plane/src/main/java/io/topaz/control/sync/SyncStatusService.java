package io.topaz.control.sync;

import io.topaz.control.audit.AuditAction;
import io.topaz.control.audit.AuditLog;
import io.topaz.control.messages.AgentAnswer;
import io.topaz.control.messages.BrokerAgents;
import io.topaz.control.metadata.SyncTargetPasswords;
import io.topaz.control.release.ReleaseService;
import io.topaz.control.web.ApiException;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.SyncTarget;
import io.topaz.model.fleet.AgentInfo;
import io.topaz.model.validation.ConfigValidationException;
import io.topaz.model.validation.FieldError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;

import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gathers the order sync's state from the live agents and forwards full reconciliations to them.
 *
 * <p>Every live agent with an admin port is asked {@code GET /sync} at once ({@code {"groups":[…]}}, see
 * docs/operations.md, Order sync). An agent that does not answer, or answers unreadably, is listed as unreachable and
 * the others still count; one that answers 404 runs no sync and is left out. When several agents report the same
 * group, the report of the agent that holds its lease wins.
 */
@Service
public class SyncStatusService {

    private static final Logger log = LoggerFactory.getLogger(SyncStatusService.class);
    static final String REPAIR_REASONS = "missed_message, lost_write, late_message";

    private final BrokerAgents agents;
    private final ReleaseService releases;
    private final SyncTargetPasswords passwords;
    private final AuditLog audit;
    private final Clock clock;

    SyncStatusService(BrokerAgents agents, ReleaseService releases, SyncTargetPasswords passwords, AuditLog audit,
                      Clock clock) {
        this.agents = agents;
        this.releases = releases;
        this.passwords = passwords;
        this.audit = audit;
        this.clock = clock;
    }

    SyncViews.SyncStatus status() throws Exception {
        ConfigSnapshot live = releases.liveContent();
        List<SyncViews.TargetView> targets = new ArrayList<>();
        for (SyncTarget t : live.syncTargets().values()) {
            targets.add(new SyncViews.TargetView(t.name(), t.appKey(), t.jdbcUrl(), t.user(), t.sellerGroups(),
                    passwords.version(t.name()).isPresent()));
        }
        Reports reports = gather();
        List<SyncViews.NotRunning> notRunning = new ArrayList<>();
        for (SyncTarget t : live.syncTargets().values()) {
            for (String g : t.sellerGroups()) {
                if (!reports.groups().containsKey(t.name() + "\u0000" + g)) {
                    notRunning.add(new SyncViews.NotRunning(t.name(), g));
                }
            }
        }
        long at = clock.millis();
        return new SyncViews.SyncStatus(Instant.ofEpochMilli(at).toString(), at, live.release(), targets,
                List.copyOf(reports.groups().values()), notRunning, reports.unreachable());
    }

    /** Forwards a full reconciliation of one group to the agent holding its lease; audited. */
    SyncViews.ReconcileResult reconcile(SyncViews.ReconcileRequest req, String actor) throws Exception {
        Map<String, Object> body = validate(req);
        Reports reports = gather();
        SyncViews.GroupView group = reports.groups().get(req.target() + "\u0000" + req.group());
        if (group == null || group.holder() == null || group.holder().isBlank()) {
            throw ApiException.conflict("no agent holds the lease of seller group '" + req.group() + "' of sync target '"
                    + req.target() + "' now" + (reports.unreachable().isEmpty() ? ""
                    : " (unreachable agents: " + reports.unreachable() + ")")
                    + "; is the group assigned to a cluster with live agents?");
        }
        AgentInfo holder = reports.live().stream().filter(a -> a.id().equals(group.holder())).findFirst()
                .orElseThrow(() -> new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "agent '" + group.holder()
                        + "', which holds the lease of seller group '" + req.group() + "', is not live"));
        AgentAnswer answer = agents.postAdmin(holder, "/sync/reconcile", body);
        audit.record(actor, AuditAction.SYNC_RECONCILE, ConfigKind.SYNC_TARGETS.name(), req.target(), null, null,
                AuditLog.detail("group", req.group(), "seller", req.seller(), "from", req.from(), "to", req.to(),
                        "agentId", holder.id(), "failure", answer.failure()));
        if (!answer.answered()) {
            String failure = answer.failure();
            if (failure.startsWith("HTTP 401") || failure.startsWith("HTTP 403")) {
                // not the operator's fault: the agent checks the control plane's AGENT token with its --control-url
                throw new ApiException(HttpStatus.BAD_GATEWAY, "agent '" + holder.id() + "' did not accept the control "
                        + "plane's token: " + failure + "; does its --control-url name this control plane (or one "
                        + "sharing its database)?");
            }
            if (failure.startsWith("HTTP 4")) {
                throw ApiException.badRequest("agent '" + holder.id() + "' refused the reconciliation: " + failure);
            }
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "agent '" + holder.id() + "', which holds the lease "
                    + "of seller group '" + req.group() + "', did not take the reconciliation: " + failure);
        }
        log.info("full reconciliation of {} / {} forwarded to agent {} by {}", req.target(), req.group(), holder.id(),
                actor);
        return new SyncViews.ReconcileResult(req.target(), req.group(), holder.id(), answer.body());
    }

    private Map<String, Object> validate(SyncViews.ReconcileRequest req) throws Exception {
        List<FieldError> errors = new ArrayList<>();
        Map<String, SyncTarget> live = releases.liveContent().syncTargets();
        SyncTarget target = req.target() == null ? null : live.get(req.target());
        if (req.target() == null || req.target().isBlank()) {
            errors.add(new FieldError("target", null, "is required"));
        } else if (target == null) {
            errors.add(new FieldError("target", req.target(), "must name a sync target of the live release"));
        }
        if (req.group() == null || req.group().isBlank()) {
            errors.add(new FieldError("group", null, "is required"));
        } else if (target != null && !target.sellerGroups().contains(req.group())) {
            errors.add(new FieldError("group", req.group(), "must be one of the target's seller groups "
                    + target.sellerGroups()));
        }
        if (req.seller() != null && req.seller() <= 0) {
            errors.add(new FieldError("seller", req.seller().toString(), "must be a positive seller id"));
        }
        Instant from = instant("from", req.from(), errors);
        Instant to = instant("to", req.to(), errors);
        if (from != null && to != null && !from.isBefore(to)) {
            errors.add(new FieldError("to", req.to(), "must be after from (" + req.from() + ")"));
        }
        if (!errors.isEmpty()) {
            throw new ConfigValidationException("the reconciliation was not started", errors);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("target", req.target());
        body.put("group", req.group());
        if (req.seller() != null) {
            body.put("seller", req.seller());
        }
        if (from != null) {
            body.put("from", from.toString());
        }
        if (to != null) {
            body.put("to", to.toString());
        }
        return body;
    }

    private static Instant instant(String field, String value, List<FieldError> errors) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            errors.add(new FieldError(field, value, "must be an ISO-8601 instant, e.g. 2026-12-01T00:00:00Z"));
            return null;
        }
    }

    private record Reports(List<AgentInfo> live, Map<String, SyncViews.GroupView> groups, List<String> unreachable) {
    }

    private Reports gather() throws Exception {
        List<AgentInfo> live = agents.agents();
        List<AgentInfo> withAdmin = live.stream().filter(a -> a.ports().getOrDefault(BrokerAgents.ADMIN_PORT, 0) > 0)
                .toList();
        Map<String, SyncViews.GroupView> groups = new LinkedHashMap<>();
        Set<String> unreachable = new LinkedHashSet<>();
        for (AgentAnswer a : agents.getAllAdmin(withAdmin, "/sync")) {
            if (!a.answered()) {
                if (!a.failure().startsWith("HTTP 404")) {
                    unreachable.add(a.agent().id());
                }
                continue;
            }
            JsonNode list = a.body().get("groups");
            if (list == null || !list.isArray()) {
                log.warn("agent {} answered /sync without a groups array", a.agent().id());
                unreachable.add(a.agent().id());
                continue;
            }
            for (JsonNode g : list) {
                SyncViews.GroupView view = SyncReports.group(a.agent().id(), g);
                if (view == null) {
                    log.warn("agent {} reported a sync group without target or group: {}", a.agent().id(), g);
                    continue;
                }
                String key = view.target() + "\u0000" + view.group();
                SyncViews.GroupView known = groups.get(key);
                if (known == null || (!known.agentId().equals(known.holder()) && view.agentId().equals(view.holder()))) {
                    groups.put(key, view);
                }
            }
        }
        List<SyncViews.GroupView> sorted = new ArrayList<>(groups.values());
        sorted.sort((x, y) -> x.target().equals(y.target()) ? x.group().compareTo(y.group())
                : x.target().compareTo(y.target()));
        Map<String, SyncViews.GroupView> ordered = new LinkedHashMap<>();
        sorted.forEach(g -> ordered.put(g.target() + "\u0000" + g.group(), g));
        return new Reports(live, ordered, List.copyOf(unreachable));
    }
}

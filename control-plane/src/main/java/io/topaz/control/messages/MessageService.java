package io.topaz.control.messages;

import io.topaz.control.audit.AuditAction;
import io.topaz.control.audit.AuditLog;
import io.topaz.control.messages.MessageViews.AgentQueues;
import io.topaz.control.messages.MessageViews.AppTotals;
import io.topaz.control.messages.MessageViews.DeadLetterActionResult;
import io.topaz.control.messages.MessageViews.DeadLetterPage;
import io.topaz.control.messages.MessageViews.DeadLetterView;
import io.topaz.control.messages.MessageViews.MessageQueues;
import io.topaz.control.messages.MessageViews.QueueView;
import io.topaz.model.fleet.AgentInfo;
import io.topaz.model.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The message service as operators see it, gathered from every live broker agent's internal API: the queues with
 * per-app totals, an app's dead letters merged newest first, and replay or purge sent to every agent (only the agent
 * holding a dead letter acts on its id; the others find nothing). An agent that does not answer is named in
 * {@code unreachable}; the others' answers still count.
 */
@Service
class MessageService {

    private static final Logger log = LoggerFactory.getLogger(MessageService.class);
    static final String AUDIT_KIND = "dead-letters";

    private final BrokerAgents agents;
    private final AuditLog audit;
    private final Clock clock;

    MessageService(BrokerAgents agents, AuditLog audit, Clock clock) {
        this.agents = agents;
        this.audit = audit;
        this.clock = clock;
    }

    /** Every broker agent's queues, and per app the totals over its groups and agents. */
    MessageQueues queues() throws Exception {
        List<AgentInfo> brokers = agents.brokers();
        long at = clock.millis();
        List<AgentQueues> answered = new ArrayList<>();
        List<String> unreachable = new ArrayList<>();
        for (AgentAnswer a : agents.getAll(brokers, "/internal/v1/queues")) {
            AgentPayloads.Queues q = a.answered() ? read(a, AgentPayloads.Queues.class) : null;
            if (q == null || q.queues() == null) {
                unreachable.add(a.agent().id());
                continue;
            }
            List<QueueView> views = new ArrayList<>();
            for (AgentPayloads.Queue queue : q.queues()) {
                int slash = queue.queue() == null ? -1 : queue.queue().indexOf('/');
                if (slash <= 0) {
                    log.warn("agent {} reports a queue named '{}', not app/group; skipped", a.agent().id(), queue.queue());
                    continue;
                }
                views.add(new QueueView(queue.queue(), queue.queue().substring(0, slash), queue.queue().substring(slash + 1),
                        queue.backlog(), queue.inFlight(), queue.oldestUnconfirmedAgeMillis(), queue.delivered(),
                        queue.confirmed(), queue.redelivered(), queue.deadLettered(), queue.deadLetters()));
            }
            views.sort(Comparator.comparing(QueueView::queue));
            answered.add(new AgentQueues(a.agent().id(), a.agent().startedAtMillis(), views));
        }
        return new MessageQueues(Instant.ofEpochMilli(at).toString(), at, totals(answered), answered, unreachable);
    }

    /** Per app, by app key: sums over groups and agents; the dead-letter queue's size is per app on each agent. */
    static List<AppTotals> totals(List<AgentQueues> agents) {
        Map<String, AppTotals> apps = new TreeMap<>();
        for (AgentQueues agent : agents) {
            Map<String, Long> deadLettersHere = new HashMap<>();
            for (QueueView q : agent.queues()) {
                // every group of an app repeats the app's dead-letter count on that agent: count it once per agent
                deadLettersHere.merge(q.app(), q.deadLetters(), Math::max);
                AppTotals t = new AppTotals(q.app(), 1, q.backlog(), q.inFlight(), q.oldestUnconfirmedAgeMillis(),
                        q.delivered(), q.confirmed(), q.redelivered(), q.deadLettered(), 0);
                apps.merge(q.app(), t, MessageService::plus);
            }
            deadLettersHere.forEach((app, n) -> apps.merge(app,
                    new AppTotals(app, 0, 0, 0, 0, 0, 0, 0, 0, n), MessageService::plus));
        }
        return List.copyOf(apps.values());
    }

    private static AppTotals plus(AppTotals a, AppTotals b) {
        return new AppTotals(a.app(), a.queues() + b.queues(), add(a.backlog(), b.backlog()), add(a.inFlight(), b.inFlight()),
                Math.max(a.oldestUnconfirmedAgeMillis(), b.oldestUnconfirmedAgeMillis()), add(a.delivered(), b.delivered()),
                add(a.confirmed(), b.confirmed()), add(a.redelivered(), b.redelivered()),
                add(a.deadLettered(), b.deadLettered()), add(a.deadLetters(), b.deadLetters()));
    }

    /**
     * One page of the app's dead letters over every broker agent, newest first. Each agent contributes its newest
     * {@code (page + 1) × size} (in pages of at most the agents' page size, fetched from all agents at once), so the
     * merge is exact; an agent failing on any of its pages is unreachable and contributes nothing.
     */
    DeadLetterPage deadLetters(DeadLetterQuery q) throws Exception {
        List<AgentInfo> brokers = agents.brokers();
        int window = q.window();
        int chunk = Math.min(window, DeadLetterQuery.MAX_SIZE);
        Map<String, List<DeadLetterView>> items = new LinkedHashMap<>();
        Map<String, Long> totals = new HashMap<>();
        Map<String, Set<Long>> seen = new HashMap<>();
        List<String> unreachable = new ArrayList<>();
        List<AgentInfo> pending = new ArrayList<>(brokers);
        for (int agentPage = 0; !pending.isEmpty(); agentPage++) {
            List<AgentInfo> next = new ArrayList<>();
            for (AgentAnswer a : agents.getAll(pending, q.agentQuery(agentPage, chunk))) {
                String id = a.agent().id();
                AgentPayloads.DeadLetterPage page = a.answered() ? read(a, AgentPayloads.DeadLetterPage.class) : null;
                if (page == null || page.items() == null || page.items().stream().anyMatch(MessageService::malformed)) {
                    unreachable.add(id);
                    items.remove(id);
                    totals.remove(id);
                    continue;
                }
                totals.put(id, Math.max(0, page.total()));
                List<DeadLetterView> mine = items.computeIfAbsent(id, k -> new ArrayList<>());
                Set<Long> held = seen.computeIfAbsent(id, k -> new HashSet<>());
                // a dead letter arriving between two of an agent's pages shifts the next one: never list one twice
                page.items().stream().filter(d -> held.add(d.message().id())).forEach(d -> mine.add(view(id, d)));
                boolean more = page.items().size() == chunk && mine.size() < window && mine.size() < page.total();
                if (more) {
                    next.add(a.agent());
                }
            }
            pending = next;
        }
        List<DeadLetterView> merged = new ArrayList<>();
        items.values().forEach(merged::addAll);
        merged.sort(Comparator.comparingLong(DeadLetterView::deadAtMillis).reversed()
                .thenComparing(Comparator.comparingLong(DeadLetterView::id).reversed())
                .thenComparing(DeadLetterView::agentId));
        int from = Math.min(merged.size(), q.page() * q.size());
        int to = Math.min(merged.size(), from + q.size());
        long total = 0;
        for (long t : totals.values()) {
            total = add(total, t);
        }
        return new DeadLetterPage(q.app(), q.page(), q.size(), total, List.copyOf(merged.subList(from, to)),
                List.copyOf(unreachable));
    }

    private static boolean malformed(AgentPayloads.DeadLetter d) {
        return d == null || d.message() == null || d.message().id() <= 0;
    }

    private static DeadLetterView view(String agentId, AgentPayloads.DeadLetter d) {
        AgentPayloads.Message m = d.message();
        String queue = d.queue();
        int slash = queue == null ? -1 : queue.indexOf('/');
        return new DeadLetterView(agentId, m.id(), queue, slash < 0 ? null : queue.substring(slash + 1), m.topic(),
                m.publisher(), m.pubTimeMillis() <= 0 ? null : Instant.ofEpochMilli(m.pubTimeMillis()).toString(),
                m.userId(), m.userNick(), m.dataId(), m.content(), Instant.ofEpochMilli(d.deadAtMillis()).toString(),
                d.deadAtMillis(), d.attempts(), d.reason());
    }

    /** Sends a replay or purge of these ids to every broker agent, sums what they did, and audits the request once. */
    DeadLetterActionResult act(DeadLetterAction action, String app, List<Long> ids, String actor) throws Exception {
        List<AgentInfo> brokers = agents.brokers();
        long done = 0;
        List<String> unreachable = new ArrayList<>();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("app", app);
        body.put("ids", ids);
        for (AgentAnswer a : agents.postAll(brokers, action.path(), body)) {
            JsonNode n = a.answered() ? a.body().get(action.countField()) : null;
            if (n == null || !n.isIntegralNumber() || n.asLong() < 0) {
                if (a.answered()) {
                    log.warn("agent {} answered {} without a count '{}': {}", a.agent().id(), action.path(),
                            action.countField(), a.body());
                }
                unreachable.add(a.agent().id());
                continue;
            }
            done = add(done, n.asLong());
        }
        audit.record(actor, action.auditAction(), AUDIT_KIND, app, null, null,
                AuditLog.detail("ids", ids, action.countField(), done, "agents", brokers.size(),
                        "unreachable", unreachable.isEmpty() ? null : unreachable));
        return new DeadLetterActionResult(app, action.name().toLowerCase(), ids.size(), done, List.copyOf(unreachable));
    }

    private static <T> T read(AgentAnswer a, Class<T> type) {
        try {
            return Json.lenient().treeToValue(a.body(), type);
        } catch (RuntimeException e) {
            log.warn("agent {} answered JSON this control plane cannot read as {}: {}", a.agent().id(),
                    type.getSimpleName(), e.getMessage());
            return null;
        }
    }

    /** Adds counters an agent reported, saturating instead of wrapping: a broken agent cannot make a total negative. */
    static long add(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? (r < 0 ? Long.MAX_VALUE : Long.MIN_VALUE) : r;
    }

    /** What {@code POST /api/v1/messages/dead-letters/{replay|purge}} does on each agent. */
    enum DeadLetterAction {
        REPLAY("/internal/v1/dead-letters/replay", "replayed", AuditAction.DEAD_LETTER_REPLAY),
        PURGE("/internal/v1/dead-letters/purge", "purged", AuditAction.DEAD_LETTER_PURGE);

        private final String path;
        private final String countField;
        private final AuditAction auditAction;

        DeadLetterAction(String path, String countField, AuditAction auditAction) {
            this.path = path;
            this.countField = countField;
            this.auditAction = auditAction;
        }

        String path() {
            return path;
        }

        String countField() {
            return countField;
        }

        AuditAction auditAction() {
            return auditAction;
        }
    }
}

package io.topaz.model.validation;

import io.topaz.model.config.AgentCluster;
import io.topaz.model.config.Assignment;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.FlowRule;
import io.topaz.model.config.QuotaRule;
import io.topaz.model.config.SellerGroup;
import io.topaz.model.config.Subscription;
import io.topaz.model.config.SyncTarget;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Rules that span entries and are checked when a draft is published: references between kinds resolve, and seller
 * groups do not overlap, subscriptions name existing topics, sync targets name existing seller groups, each cluster's connection budget covers its synced groups (that a sync
 * target's app exists is checked by the control plane, which holds the apps). Single-entry rules are checked on every write by {@link io.topaz.model.config.ConfigEntry#validate()}.
 */
public final class ReleaseValidator {

    private ReleaseValidator() {
    }

    public static List<FieldError> validate(ConfigSnapshot s) {
        List<FieldError> errors = new ArrayList<>();
        for (Assignment a : s.items(ConfigKind.ASSIGNMENTS).values()) {
            String at = "assignments['" + a.key() + "']";
            if (!s.items(ConfigKind.SELLER_GROUPS).containsKey(a.sellerGroup())) {
                errors.add(new FieldError(at + ".sellerGroup", a.sellerGroup(), "must name an existing seller group"));
            }
            if (!s.items(ConfigKind.AGENT_CLUSTERS).containsKey(a.cluster())) {
                errors.add(new FieldError(at + ".cluster", a.cluster(), "must name an existing agent cluster"));
            }
        }
        for (FlowRule r : s.flowRules().values()) {
            if (r.method() != null && !r.method().isEmpty() && !s.apis().containsKey(r.method())) {
                errors.add(new FieldError("flow-rules['" + r.id() + "'].method", r.method(), "must name an existing API"));
            }
        }
        for (QuotaRule q : s.items(ConfigKind.QUOTA_RULES).values()) {
            boolean groupExists = s.apis().values().stream().anyMatch(api -> api.apiGroup().equals(q.apiGroup()));
            if (!groupExists) {
                errors.add(new FieldError("quota-rules['" + q.id() + "'].apiGroup", q.apiGroup(),
                        "must name the group of at least one API"));
            }
        }
        for (Subscription sub : s.subscriptions().values()) {
            for (int i = 0; i < sub.topics().size(); i++) {
                String topic = sub.topics().get(i);
                if (!s.topics().containsKey(topic)) {
                    errors.add(new FieldError("subscriptions['" + sub.appKey() + "'].topics[" + i + "]", topic,
                            "must name an existing topic"));
                }
            }
        }
        for (SyncTarget t : s.syncTargets().values()) {
            for (int i = 0; i < t.sellerGroups().size(); i++) {
                String group = t.sellerGroups().get(i);
                if (!s.items(ConfigKind.SELLER_GROUPS).containsKey(group)) {
                    errors.add(new FieldError("sync-targets['" + t.name() + "'].sellerGroups[" + i + "]", group,
                            "must name an existing seller group"));
                }
            }
        }
        errors.addAll(connectionBudgets(s));
        List<SellerGroup> groups = new ArrayList<>(s.items(ConfigKind.SELLER_GROUPS).values());
        Map<Long, String> pinnedBy = new HashMap<>();
        for (SellerGroup g : groups) {
            for (int i = 0; i < g.sellers().size(); i++) {
                String other = pinnedBy.putIfAbsent(g.sellers().get(i), g.name());
                if (other != null) {
                    errors.add(new FieldError("seller-groups['" + g.name() + "'].sellers[" + i + "]",
                            String.valueOf(g.sellers().get(i)), "is already pinned in seller group '" + other + "'"));
                }
            }
        }
        groups.removeIf(SellerGroup::pinned);
        groups.sort((a, b) -> Integer.compare(a.bucketFrom(), b.bucketFrom()));
        for (int i = 1; i < groups.size(); i++) {
            SellerGroup prev = groups.get(i - 1);
            SellerGroup cur = groups.get(i);
            if (cur.bucketFrom() < prev.bucketTo()) {
                errors.add(new FieldError("seller-groups['" + cur.name() + "'].bucketFrom", String.valueOf(cur.bucketFrom()),
                        "must not overlap seller group '" + prev.name() + "' [" + prev.bucketFrom() + ", " + prev.bucketTo() + ")"));
            }
        }
        return errors;
    }

    /**
     * Each seller group a sync target covers needs at least one of its cluster's connections towards that target, so a
     * cluster's {@code syncConnections} budget must be at least the number of its assigned groups some sync target
     * covers.
     */
    private static List<FieldError> connectionBudgets(ConfigSnapshot s) {
        java.util.Set<String> synced = new java.util.HashSet<>();
        for (SyncTarget t : s.syncTargets().values()) {
            synced.addAll(t.sellerGroups());
        }
        Map<String, java.util.SortedSet<String>> byCluster = new java.util.TreeMap<>();
        for (Assignment a : s.items(ConfigKind.ASSIGNMENTS).values()) {
            if (synced.contains(a.sellerGroup())) {
                byCluster.computeIfAbsent(a.cluster(), c -> new java.util.TreeSet<>()).add(a.sellerGroup());
            }
        }
        List<FieldError> errors = new ArrayList<>();
        byCluster.forEach((name, groups) -> {
            AgentCluster c = s.items(ConfigKind.AGENT_CLUSTERS).get(name);
            if (c != null && c.syncConnections() < groups.size()) {
                errors.add(new FieldError("agent-clusters['" + name + "'].syncConnections",
                        String.valueOf(c.syncConnections()), "must be at least " + groups.size() + ", the number of "
                        + "seller groups assigned to the cluster that a sync target covers (each needs a connection): "
                        + String.join(", ", groups)));
            }
        });
        return errors;
    }

    /** Throws with every problem when the snapshot breaks a cross-entry rule. */
    public static void check(ConfigSnapshot s) {
        List<FieldError> errors = validate(s);
        if (!errors.isEmpty()) {
            throw new ConfigValidationException("release " + s.release(), errors);
        }
    }

}

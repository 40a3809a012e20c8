package io.topaz.console.placement;

import io.topaz.console.controlplane.ControlPlaneClient;
import io.topaz.console.controlplane.ControlPlaneException;
import io.topaz.console.controlplane.DraftItem;
import io.topaz.model.config.SellerGroup;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Plans the placement changes that are config, from the draft as it is now: moving a group to another cluster (its
 * assignment), pinning a seller into a group of its own, splitting a range group. A new group is assigned like the one
 * it came from and added to every sync target that syncs that one, so no seller stops being synced. Blocking: call it
 * off the UI thread. A change that cannot be made is a {@link ControlPlaneException} (INVALID) saying why.
 */
final class PlacementPlanner {

    static final String GROUPS = "seller-groups";
    static final String ASSIGNMENTS = "assignments";
    static final String TARGETS = "sync-targets";

    private final ControlPlaneClient client;

    PlacementPlanner(ControlPlaneClient client) {
        this.client = client;
    }

    /** The group's assignment names {@code cluster}. */
    ConfigPlan clusterMove(String group, String cluster) {
        Optional<DraftItem> assignment = find(client.list(ASSIGNMENTS), group);
        List<ConfigPlan.Edit> edits = new ArrayList<>();
        if (assignment.isPresent()) {
            Object from = assignment.get().value().get("cluster");
            if (cluster.equals(from)) {
                throw refused("seller group " + group + " is already assigned to cluster " + cluster + " in the draft");
            }
            Map<String, Object> value = new LinkedHashMap<>(assignment.get().value());
            value.put("cluster", cluster);
            edits.add(new ConfigPlan.Edit(ASSIGNMENTS, group, assignment.get().version(), value,
                    ConfigPlan.label(ASSIGNMENTS, group) + ": cluster " + from + " → " + cluster));
        } else {
            edits.add(assign(group, cluster));
        }
        return plan("move seller group " + group + " to cluster " + cluster, edits);
    }

    /**
     * A pin group {@code pin-<sellerId>} holding the seller, assigned to {@code cluster}, synced by every target that
     * syncs the group the seller is in now ({@code fromGroup} when the SRE picked the seller from a group's hot sellers,
     * else the range group of its bucket).
     */
    ConfigPlan pin(long sellerId, String cluster, String fromGroup) {
        if (sellerId <= 0) {
            throw refused("a seller is a TOP user id (a positive whole number), was " + sellerId);
        }
        List<DraftItem> groups = client.list(GROUPS);
        String name = "pin-" + sellerId;
        if (find(groups, name).isPresent()) {
            throw refused("seller group " + name + " already exists in the draft");
        }
        for (DraftItem g : groups) {
            if (sellers(g).contains(sellerId)) {
                throw refused("seller " + sellerId + " is already pinned in seller group " + g.key());
            }
        }
        String covering = fromGroup;
        if (covering == null || covering.isBlank()) {
            int bucket = SellerGroup.bucketOf(Long.toString(sellerId));
            covering = groups.stream().filter(g -> sellers(g).isEmpty() && integer(g, "bucketFrom") != null
                            && integer(g, "bucketFrom") <= bucket && bucket < integer(g, "bucketTo"))
                    .map(DraftItem::key).findFirst().orElse(null);
        }
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("name", name);
        value.put("description", "hot seller " + sellerId + " pinned" + (covering == null ? "" : " out of " + covering));
        value.put("sellers", List.of(sellerId));
        List<ConfigPlan.Edit> edits = new ArrayList<>();
        edits.add(new ConfigPlan.Edit(GROUPS, name, null, value,
                ConfigPlan.label(GROUPS, name) + ": new pin group of seller " + sellerId));
        edits.add(assign(name, cluster));
        if (covering != null) {
            edits.addAll(alsoSync(covering, name));
        }
        return plan("pin seller " + sellerId + " into seller group " + name + " on cluster " + cluster, edits);
    }

    /** {@code group} keeps [from, at); {@code newName} gets [at, to), the same cluster and the same sync targets. */
    ConfigPlan split(String group, int at, String newName) {
        List<DraftItem> groups = client.list(GROUPS);
        DraftItem g = find(groups, group).orElseThrow(() -> refused("seller group " + group + " is not in the draft"));
        Integer from = integer(g, "bucketFrom");
        Integer to = integer(g, "bucketTo");
        if (!sellers(g).isEmpty() || from == null || to == null) {
            throw refused("seller group " + group + " is a pin group: only a bucket range can be split");
        }
        if (at <= from || at >= to) {
            throw refused("the split bucket must lie inside " + group + "'s range [" + from + ", " + to + "), strictly "
                    + "after its first bucket; was " + at);
        }
        String name = newName == null || newName.isBlank() ? group + "-" + at : newName.strip();
        if (find(groups, name).isPresent()) {
            throw refused("seller group " + name + " already exists in the draft");
        }
        String cluster = find(client.list(ASSIGNMENTS), group).map(a -> String.valueOf(a.value().get("cluster")))
                .orElseThrow(() -> refused("seller group " + group + " has no assignment in the draft: assign it to a "
                        + "cluster first"));
        Map<String, Object> kept = new LinkedHashMap<>(g.value());
        kept.put("bucketTo", at);
        Map<String, Object> split = new LinkedHashMap<>();
        split.put("name", name);
        split.put("description", "split from " + group + " at bucket " + at);
        split.put("bucketFrom", at);
        split.put("bucketTo", to);
        List<ConfigPlan.Edit> edits = new ArrayList<>();
        edits.add(new ConfigPlan.Edit(GROUPS, group, g.version(), kept,
                ConfigPlan.label(GROUPS, group) + ": buckets [" + from + ", " + to + ") → [" + from + ", " + at + ")"));
        edits.add(new ConfigPlan.Edit(GROUPS, name, null, split,
                ConfigPlan.label(GROUPS, name) + ": new group, buckets [" + at + ", " + to + ")"));
        edits.add(assign(name, cluster));
        edits.addAll(alsoSync(group, name));
        return plan("split seller group " + group + " at bucket " + at + " into " + group + " and " + name, edits);
    }

    private ConfigPlan plan(String action, List<ConfigPlan.Edit> edits) {
        List<String> mine = edits.stream().map(e -> ConfigPlan.label(e.kind(), e.key())).toList();
        List<String> others = client.diff().changes().stream().map(ConfigPlan::label)
                .filter(c -> !mine.contains(c)).toList();
        return new ConfigPlan(action, edits, others);
    }

    private static ConfigPlan.Edit assign(String group, String cluster) {
        return new ConfigPlan.Edit(ASSIGNMENTS, group, null, Map.of("sellerGroup", group, "cluster", cluster),
                ConfigPlan.label(ASSIGNMENTS, group) + ": new, cluster " + cluster);
    }

    /** Adds {@code added} to each sync target that syncs {@code group}. */
    private List<ConfigPlan.Edit> alsoSync(String group, String added) {
        List<ConfigPlan.Edit> edits = new ArrayList<>();
        for (DraftItem t : client.list(TARGETS)) {
            Object listed = t.value().get("sellerGroups");
            if (listed instanceof List<?> l && l.contains(group) && !l.contains(added)) {
                List<Object> groups = new ArrayList<>(l);
                groups.add(added);
                Map<String, Object> value = new LinkedHashMap<>(t.value());
                value.put("sellerGroups", groups);
                edits.add(new ConfigPlan.Edit(TARGETS, t.key(), t.version(), value,
                        ConfigPlan.label(TARGETS, t.key()) + ": also syncs " + added));
            }
        }
        return edits;
    }

    private static Optional<DraftItem> find(List<DraftItem> items, String key) {
        return items.stream().filter(i -> i.key().equals(key)).findFirst();
    }

    private static List<Long> sellers(DraftItem group) {
        Object s = group.value().get("sellers");
        if (!(s instanceof List<?> l)) {
            return List.of();
        }
        return l.stream().filter(Number.class::isInstance).map(n -> ((Number) n).longValue()).toList();
    }

    private static Integer integer(DraftItem item, String field) {
        return item.value().get(field) instanceof Number n ? n.intValue() : null;
    }

    static ControlPlaneException refused(String why) {
        return new ControlPlaneException(ControlPlaneException.Problem.INVALID, 0, why, List.of());
    }
}

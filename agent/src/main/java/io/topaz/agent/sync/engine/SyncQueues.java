package io.topaz.agent.sync.engine;

import io.topaz.agent.broker.QueueName;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.SellerGroup;
import io.topaz.model.config.SyncTarget;
import io.topaz.model.metadata.TmcUser;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sync engine's internal subscription on the broker: one queue per (sync target, seller group), named
 * {@code QueueName("__sync.<target>", "<seller group>")}. A trade message is routed to target T's queue of group G,
 * besides the apps' queues, when the seller has permitted T's app ({@code taobao.tmc.user.permit}, whatever the
 * topics: a JDP authorization is per app) and G is the group that syncs the seller ({@code SellerGroups.groupOf}: its
 * pin group, else the range group of its bucket) — wherever a message is produced (the TOP produce API and the
 * platform publish on the broker port share one router). The reserved app key prefix {@code __sync.} is not a valid
 * app key, so no app can consume these queues.
 */
public final class SyncQueues {

    public static final String APP_PREFIX = "__sync.";

    /** The trade topics whose messages drive the sync (tid, seller, modified in the content). */
    public static final Set<String> TRADE_TOPICS = Set.of("taobao_trade_TradeCreate", "taobao_trade_TradeChanged",
            "taobao_trade_TradeClose");

    private SyncQueues() {
    }

    public static QueueName queue(String target, String group) {
        return new QueueName(APP_PREFIX + target, group);
    }

    /** The internal queues a message of {@code topic} about {@code seller} goes to (none for other topics). */
    public static List<QueueName> route(ConfigSnapshot config, String topic, TmcUser seller) {
        if (!TRADE_TOPICS.contains(topic)) {
            return List.of();
        }
        Derived d = last;
        if (d == null || d.snapshot != config) { // a release is immutable: derive its sync part once
            d = new Derived(config, Routes.of(SyncConfig.of(config)));
            last = d;
        }
        return d.routes.route(seller);
    }

    private record Derived(ConfigSnapshot snapshot, Routes routes) {
    }

    private static volatile Derived last;

    /** As {@link #route(ConfigSnapshot, String, TmcUser)}, over the sync part of a release. */
    public static List<QueueName> route(SyncConfig config, String topic, TmcUser seller) {
        if (!TRADE_TOPICS.contains(topic) || config.targets().isEmpty()) {
            return List.of();
        }
        return Routes.of(config).route(seller);
    }

    /**
     * A release's routes: the range group of each bucket and the targets syncing each group, so a message costs a
     * pin lookup, an array read and a look at the seller's permits.
     */
    private record Routes(SyncConfig config, String[] byBucket, Map<String, List<SyncTarget>> targetsByGroup) {

        static Routes of(SyncConfig config) {
            Map<String, List<SyncTarget>> byGroup = new HashMap<>();
            for (SyncTarget t : config.targets()) {
                for (String g : t.sellerGroups()) {
                    byGroup.computeIfAbsent(g, k -> new ArrayList<>()).add(t);
                }
            }
            String[] byBucket = new String[SellerGroup.BUCKETS];
            config.groups().forEach((g, range) -> {
                for (int b = range.from(); b < range.to(); b++) {
                    byBucket[b] = byBucket[b] == null ? g : byBucket[b];
                }
            });
            return new Routes(config, byBucket, byGroup);
        }

        /** As {@link SyncConfig#groupOf}: the pin group, else the range group of the seller's bucket. */
        private String groupOf(long sellerId) {
            String pin = config.pinned().get(sellerId);
            return pin != null ? pin : byBucket[SellerGroup.bucketOf(Long.toString(sellerId))];
        }

        List<QueueName> route(TmcUser seller) {
            if (targetsByGroup.isEmpty() || seller.permits().isEmpty()) {
                return List.of();
            }
            String group = groupOf(seller.userId());
            List<SyncTarget> targets = group == null ? null : targetsByGroup.get(group);
            if (targets == null) {
                return List.of();
            }
            List<QueueName> out = new ArrayList<>(1);
            for (SyncTarget t : targets) {
                for (TmcUser.Permit p : seller.permits()) {
                    if (p.appKey().equals(t.appKey())) {
                        out.add(queue(t.name(), group));
                        break;
                    }
                }
            }
            return out;
        }
    }
}

package io.topaz.agent.sync.engine;

import io.topaz.agent.broker.QueueName;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.SellerGroup;
import io.topaz.model.config.SyncTarget;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The sync engine's internal subscription on the broker: one queue per (sync target, seller group), named
 * {@code QueueName("__sync.<target>", "<seller group>")}. A trade message is routed to it, besides the apps' queues,
 * when the seller's bucket lies in a group the target covers — wherever a message is produced (the TOP produce API
 * and the platform publish on the broker port share one router). The reserved app key prefix {@code __sync.} is not a
 * valid app key, so no app can consume these queues.
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

    /** The internal queues a message of {@code topic} about seller {@code sellerId} goes to (none for other topics). */
    public static List<QueueName> route(ConfigSnapshot config, String topic, long sellerId) {
        if (!TRADE_TOPICS.contains(topic)) {
            return List.of();
        }
        Derived d = last;
        if (d == null || d.snapshot != config) { // a release is immutable: derive its sync part once
            d = new Derived(config, SyncConfig.of(config));
            last = d;
        }
        return route(d.sync, topic, sellerId);
    }

    private record Derived(ConfigSnapshot snapshot, SyncConfig sync) {
    }

    private static volatile Derived last;

    /** As {@link #route(ConfigSnapshot, String, long)}, over the sync part of a release. */
    public static List<QueueName> route(SyncConfig config, String topic, long sellerId) {
        if (!TRADE_TOPICS.contains(topic) || config.targets().isEmpty()) {
            return List.of();
        }
        int bucket = SellerGroup.bucketOf(Long.toString(sellerId));
        List<QueueName> out = new ArrayList<>();
        for (SyncTarget t : config.targets()) {
            for (String g : t.sellerGroups()) {
                if (config.buckets(g).map(b -> b.contains(bucket)).orElse(false)) {
                    out.add(queue(t.name(), g));
                }
            }
        }
        return out;
    }
}

package io.topaz.model.config;

import java.util.List;
import java.util.Optional;

/**
 * The kinds of config, each with the name used in REST paths and ZooKeeper paths and the record type it holds.
 *
 * @param <T> the record type of this kind's entries
 */
public final class ConfigKind<T extends ConfigEntry> {

    public static final ConfigKind<ApiDefinition> APIS = new ConfigKind<>("apis", "api", ApiDefinition.class);
    public static final ConfigKind<FlowRule> FLOW_RULES = new ConfigKind<>("flow-rules", "flow rule", FlowRule.class);
    public static final ConfigKind<QuotaRule> QUOTA_RULES = new ConfigKind<>("quota-rules", "quota rule", QuotaRule.class);
    public static final ConfigKind<ApiGroup> API_GROUPS = new ConfigKind<>("api-groups", "API group", ApiGroup.class);
    public static final ConfigKind<OverloadRule> OVERLOAD_RULES =
            new ConfigKind<>("overload-rules", "overload rule", OverloadRule.class);
    public static final ConfigKind<CacheRule> CACHE_RULES = new ConfigKind<>("cache-rules", "cache rule", CacheRule.class);
    public static final ConfigKind<SellerGroup> SELLER_GROUPS =
            new ConfigKind<>("seller-groups", "seller group", SellerGroup.class);
    public static final ConfigKind<AgentCluster> AGENT_CLUSTERS =
            new ConfigKind<>("agent-clusters", "agent cluster", AgentCluster.class);
    public static final ConfigKind<Assignment> ASSIGNMENTS = new ConfigKind<>("assignments", "assignment", Assignment.class);
    public static final ConfigKind<Topic> TOPICS = new ConfigKind<>("topics", "topic", Topic.class);
    public static final ConfigKind<Subscription> SUBSCRIPTIONS =
            new ConfigKind<>("subscriptions", "subscription", Subscription.class);
    public static final ConfigKind<SyncTarget> SYNC_TARGETS =
            new ConfigKind<>("sync-targets", "sync target", SyncTarget.class);

    private static final List<ConfigKind<?>> ALL = List.of(
            APIS, FLOW_RULES, QUOTA_RULES, API_GROUPS, OVERLOAD_RULES, CACHE_RULES, SELLER_GROUPS, AGENT_CLUSTERS,
            ASSIGNMENTS, TOPICS, SUBSCRIPTIONS, SYNC_TARGETS);

    private final String name;
    private final String displayName;
    private final Class<T> type;

    private ConfigKind(String name, String displayName, Class<T> type) {
        this.name = name;
        this.displayName = displayName;
        this.type = type;
    }

    public static List<ConfigKind<?>> all() {
        return ALL;
    }

    public static Optional<ConfigKind<?>> byName(String name) {
        return ALL.stream().filter(k -> k.name.equals(name)).findFirst();
    }

    /** The name in REST and ZooKeeper paths, e.g. {@code flow-rules}. */
    public String name() {
        return name;
    }

    /** A human name for messages, e.g. {@code flow rule}. */
    public String displayName() {
        return displayName;
    }

    public Class<T> type() {
        return type;
    }

    public T cast(ConfigEntry entry) {
        return type.cast(entry);
    }

    @Override
    public String toString() {
        return name;
    }
}

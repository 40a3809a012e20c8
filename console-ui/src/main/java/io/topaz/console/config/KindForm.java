package io.topaz.console.config;

import io.topaz.model.config.FlowScope;
import io.topaz.model.config.LimitMode;
import io.topaz.model.config.MetadataKind;
import io.topaz.model.config.Tier;

import java.util.List;
import java.util.Optional;

/**
 * How the console shows and edits one kind of config: its REST name, titles, the key field (fixed once created: the
 * control plane renames by create and delete), the form's fields and the table's columns.
 *
 * <p>Apps carry no secrets in config (app secrets live in the metadata store), and this form has no field for any:
 * an app's table and editor show its key, status and API groups only.
 */
public record KindForm(String kind, String title, String singular, String keyField, List<FieldSpec> fields,
                       List<String> columns) {

    public static final KindForm APIS = new KindForm("apis", "APIs and upstreams", "API", "method", List.of(
            FieldSpec.text("method", "Method", "e.g. taobao.trade.get"),
            FieldSpec.text("apiGroup", "API group", "the group apps are granted, e.g. trade"),
            new FieldSpec("upstreams", "Upstreams", FieldType.UPSTREAMS, List.of(), ""),
            FieldSpec.number("timeoutMillis", "Timeout (ms)", "default 3000"),
            new FieldSpec("sessionRequired", "Seller session required", FieldType.FLAG, List.of(), ""),
            new FieldSpec("requiredParameters", "Required parameters", FieldType.TEXT_LIST, List.of(),
                    "comma-separated, e.g. tid, fields")),
            List.of("method", "apiGroup", "upstreams", "timeoutMillis", "sessionRequired"));

    public static final KindForm FLOW_RULES = new KindForm("flow-rules", "Flow rules", "flow rule", "id", List.of(
            FieldSpec.text("id", "Rule id", "e.g. trade-get-qps"),
            FieldSpec.choice("scope", "Scope", FlowScope.values()),
            FieldSpec.text("method", "API method", "for scope API or APP_API"),
            FieldSpec.text("appKey", "App key", "for scope APP or APP_API"),
            FieldSpec.number("qps", "QPS limit", "calls per second, at least 1"),
            FieldSpec.choice("mode", "Limit holds", LimitMode.values())),
            List.of("id", "scope", "method", "appKey", "qps", "mode"));

    public static final KindForm QUOTA_RULES = new KindForm("quota-rules", "Quota rules", "quota rule", "id", List.of(
            FieldSpec.text("id", "Rule id", "e.g. demo-app-trade-daily"),
            FieldSpec.text("appKey", "App key", ""),
            FieldSpec.text("apiGroup", "API group", ""),
            FieldSpec.number("dailyLimit", "Calls per day", "at least 1"),
            FieldSpec.choice("mode", "Limit holds", LimitMode.values())),
            List.of("id", "appKey", "apiGroup", "dailyLimit", "mode"));

    public static final KindForm API_GROUPS = new KindForm("api-groups", "API group tiers", "API group", "name", List.of(
            FieldSpec.text("name", "API group", "as the APIs name it"),
            FieldSpec.choice("tier", "Tier under overload", Tier.values()),
            FieldSpec.text("description", "Description", "")),
            List.of("name", "tier", "description"));

    public static final KindForm OVERLOAD_RULES = new KindForm("overload-rules", "Overload shedding", "overload rule",
            "id", List.of(
            FieldSpec.text("id", "Rule id", "e.g. default"),
            FieldSpec.text("cluster", "Agent cluster", "empty: every cluster without a rule of its own"),
            FieldSpec.number("maxInFlight", "Calls in flight per agent", "at most this many at once"),
            FieldSpec.number("maxLatencyMillis", "Latency threshold (ms)", "over it, the low tier is shed"),
            FieldSpec.number("criticalReservePercent", "Reserved for critical (%)", "default 20"),
            FieldSpec.number("lowSharePercent", "Low tier's share (%)", "of the unreserved part; default 50")),
            List.of("id", "cluster", "maxInFlight", "maxLatencyMillis", "criticalReservePercent", "lowSharePercent"));

    public static final KindForm CACHE_RULES = new KindForm("cache-rules", "Cache rules", "cache rule", "kind", List.of(
            FieldSpec.choice("kind", "Metadata", java.util.Arrays.stream(MetadataKind.values()).filter(MetadataKind::cached)
                    .toArray(MetadataKind[]::new)),
            FieldSpec.number("maximumSize", "Maximum entries", "default 100000"),
            FieldSpec.number("expireAfterMillis", "Expire after (ms)", "default 600000"),
            FieldSpec.number("refreshAfterMillis", "Refresh after (ms)", "default 60000; less than expire"),
            FieldSpec.number("maxStalenessMillis", "Serve stale for (ms)", "default 3600000"),
            FieldSpec.number("negativeTtlMillis", "Remember misses for (ms)", "default 30000"),
            new FieldSpec("bloomFalsePositiveRate", "Bloom false-positive rate", FieldType.DECIMAL, List.of(),
                    "default 0.01; above 0, at most 0.5"),
            FieldSpec.number("filterMissLookupsPerSecond", "Filter-miss lookups per second",
                    "default 100; keys the Bloom filter does not know yet, 0 = none")),
            List.of("kind", "maximumSize", "expireAfterMillis", "refreshAfterMillis", "maxStalenessMillis",
                    "negativeTtlMillis", "bloomFalsePositiveRate", "filterMissLookupsPerSecond"));

    public static final KindForm SELLER_GROUPS = new KindForm("seller-groups", "Seller groups", "seller group", "name",
            List.of(FieldSpec.text("name", "Name", ""),
                    FieldSpec.text("description", "Description", ""),
                    FieldSpec.number("bucketFrom", "First bucket", "0…1023"),
                    FieldSpec.number("bucketTo", "End bucket (exclusive)", "1…1024"),
                    new FieldSpec("sellers", "Pinned sellers", FieldType.TEXT_LIST, List.of(),
                            "a pin group: comma-separated TOP user ids, no bucket range")),
            List.of("name", "bucketFrom", "bucketTo", "sellers", "description"));

    public static final KindForm AGENT_CLUSTERS = new KindForm("agent-clusters", "Agent clusters", "agent cluster",
            "name", List.of(FieldSpec.text("name", "Name", ""),
                    new FieldSpec("zones", "Zones", FieldType.TEXT_LIST, List.of(), "comma-separated zones it spans"),
                    FieldSpec.number("syncConnections", "Sync connections", "budget per sync target; default 8"),
                    FieldSpec.text("description", "Description", "")),
            List.of("name", "zones", "syncConnections", "description"));

    public static final KindForm ASSIGNMENTS = new KindForm("assignments", "Assignments", "assignment", "sellerGroup",
            List.of(FieldSpec.text("sellerGroup", "Seller group", ""),
                    FieldSpec.text("cluster", "Agent cluster", "")),
            List.of("sellerGroup", "cluster"));

    public static final KindForm TOPICS = new KindForm("topics", "Topics", "topic", "name", List.of(
            FieldSpec.text("name", "Topic", "e.g. taobao_trade_TradeCreate"),
            FieldSpec.text("group", "Topic group", "e.g. taobao_trade"),
            new FieldSpec("producerApps", "Apps that may produce it", FieldType.TEXT_LIST, List.of(),
                    "comma-separated app keys; empty: none through the TOP API"),
            FieldSpec.text("dataIdField", "Business id field", "optional: the content's id field, e.g. tid"),
            FieldSpec.text("description", "Description", "")),
            List.of("name", "group", "producerApps", "dataIdField", "description"));

    public static final KindForm SUBSCRIPTIONS = new KindForm("subscriptions", "Subscriptions", "subscription", "appKey",
            List.of(FieldSpec.text("appKey", "App key", "the subscribing app"),
                    new FieldSpec("topics", "Topics", FieldType.TEXT_LIST, List.of(),
                            "comma-separated topics, each a published topic"),
                    FieldSpec.number("maxBacklog", "Backlog cap", "optional: most unconfirmed messages, 1000 or more")),
            List.of("appKey", "topics", "maxBacklog"));

    public static final KindForm SYNC_TARGETS = new KindForm("sync-targets", "Sync targets", "sync target", "name",
            List.of(FieldSpec.text("name", "Name", "e.g. erp-orders"),
                    FieldSpec.text("appKey", "App key", "the app whose database this is"),
                    FieldSpec.text("jdbcUrl", "Database (JDBC URL)", "jdbc:postgresql:, jdbc:mariadb:, jdbc:mysql: or "
                            + "jdbc:h2:…, without a password"),
                    FieldSpec.text("user", "Database user", "its password is set apart (admins)"),
                    new FieldSpec("sellerGroups", "Seller groups", FieldType.TEXT_LIST, List.of(),
                            "comma-separated seller groups to copy"),
                    FieldSpec.number("maxConnections", "Connections", "budget over all agents; default 4"),
                    FieldSpec.number("mergeWindowMillis", "Merge window (ms)", "default 100"),
                    FieldSpec.number("reconcileSeconds", "Reconcile every (s)", "default 30"),
                    FieldSpec.number("backfillDays", "Backfill (days)", "default 90"),
                    FieldSpec.text("purgeWindow", "Purge window (UTC)", "HH:mm-HH:mm; default 02:00-05:00"),
                    FieldSpec.text("description", "Description", "")),
            List.of("name", "appKey", "jdbcUrl", "user", "sellerGroups", "maxConnections"));

    private static final List<KindForm> ALL = List.of(APIS, FLOW_RULES, QUOTA_RULES, API_GROUPS, OVERLOAD_RULES, CACHE_RULES, SELLER_GROUPS,
            AGENT_CLUSTERS, ASSIGNMENTS, SYNC_TARGETS, TOPICS, SUBSCRIPTIONS);

    public static List<KindForm> all() {
        return ALL;
    }

    public static Optional<KindForm> of(String kind) {
        return ALL.stream().filter(f -> f.kind.equals(kind)).findFirst();
    }

    public Optional<FieldSpec> field(String name) {
        return fields.stream().filter(f -> f.name().equals(name)).findFirst();
    }

    /** The label of a column (a field name). */
    public String label(String column) {
        return field(column).map(FieldSpec::label).orElse(column);
    }
}

package io.topaz.control.metadata;

import io.topaz.control.audit.AuditAction;
import io.topaz.control.audit.AuditLog;
import io.topaz.control.web.ApiException;
import io.topaz.model.config.AppStatus;
import io.topaz.model.config.MetadataKind;
import io.topaz.model.metadata.AppMetadata;
import io.topaz.model.metadata.AppSecret;
import io.topaz.model.validation.Checks;
import io.topaz.model.validation.ConfigValidationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Apps: create, list, enable/disable, rotate and retire secrets, change allowed API groups. Every change bumps the
 * app's version, is audited and is announced to agents as a metadata event after it commits. Secrets are encrypted
 * at rest and returned only by {@link #create} and {@link #rotateSecret}.
 */
@Service
public class AppService {

    /** An app as operators see it: never its secrets. */
    public record AppView(String appKey, String name, String owner, AppStatus status, List<String> allowedApiGroups,
                          Long previousSecretRetireAt, long version, long createdAt, long updatedAt) {
    }

    /** An app with a secret that is shown this once. */
    public record AppWithSecret(AppView app, String secret) {
    }

    public record Page<T>(List<T> items, int page, int size, long total) {
    }

    private static final int MAX_GROUPS = 100;

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final SecretCipher cipher;
    private final AuditLog audit;
    private final MetadataEvents events;
    private final KeyFilters filters;
    private final MetadataProperties props;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    AppService(JdbcClient jdbc, TransactionTemplate tx, SecretCipher cipher, AuditLog audit, MetadataEvents events,
               KeyFilters filters, MetadataProperties props, Clock clock) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.cipher = cipher;
        this.audit = audit;
        this.events = events;
        this.filters = filters;
        this.props = props;
        this.clock = clock;
    }

    public AppWithSecret create(String appKey, String name, String owner, List<String> groups, AppStatus status,
                                String actor) {
        String key = appKey == null || appKey.isBlank() ? newAppKey() : appKey;
        Checks c = new Checks();
        c.appKey("appKey", key);
        c.maxLength("appKey", key, 64);
        requiredText(c, "name", name, 128);
        requiredText(c, "owner", owner, 128);
        checkGroups(c, groups);
        throwIfAny(c);
        String secret = newSecret();
        long now = clock.millis();
        AppStatus st = status == null ? AppStatus.ACTIVE : status;
        try {
            tx.executeWithoutResult(t -> {
                jdbc.sql("""
                                insert into app (app_key, name, owner, status, allowed_groups, secret_current, version,
                                                 created_at_millis, updated_at_millis)
                                values (?, ?, ?, ?, ?, ?, 1, ?, ?)""")
                        .params(key, name, owner, st.name(), String.join(",", groups), cipher.encrypt(key, secret), now, now)
                        .update();
                audit.record(actor, AuditAction.CREATE, "apps", key, null, 1L,
                        AuditLog.detail("name", name, "owner", owner, "status", st.name(), "allowedApiGroups", groups));
            });
        } catch (DuplicateKeyException e) {
            throw ApiException.conflict("an app with key '" + key + "' already exists");
        }
        filters.put(MetadataKind.APP, key);
        events.created(MetadataKind.APP, key, 1);
        return new AppWithSecret(view(key).orElseThrow(), secret);
    }

    public Optional<AppView> view(String appKey) {
        return jdbc.sql("select * from app where app_key = ?").param(appKey).query(AppService::viewOf).optional();
    }

    public AppView require(String appKey) {
        return view(appKey).orElseThrow(() -> ApiException.notFound("no app with key '" + appKey + "'"));
    }

    /** Apps whose key, name or owner contain {@code search} (case-insensitive), by key. */
    public Page<AppView> list(String search, String owner, AppStatus status, int page, int size) {
        Checks c = new Checks();
        c.range("page", page, 0, 1_000_000);
        c.range("size", size, 1, 500);
        throwIfAny(c);
        StringBuilder where = new StringBuilder(" where 1 = 1");
        List<Object> params = new ArrayList<>();
        if (search != null && !search.isBlank()) {
            String like = "%" + search.toLowerCase().replace("%", "").replace("_", "") + "%";
            where.append(" and (lower(app_key) like ? or lower(name) like ? or lower(owner) like ?)");
            params.addAll(List.of(like, like, like));
        }
        if (owner != null && !owner.isBlank()) {
            where.append(" and owner = ?");
            params.add(owner);
        }
        if (status != null) {
            where.append(" and status = ?");
            params.add(status.name());
        }
        long total = jdbc.sql("select count(*) from app" + where).params(params).query(Long.class).single();
        List<Object> pageParams = new ArrayList<>(params);
        pageParams.add(size);
        pageParams.add((long) page * size);
        List<AppView> items = jdbc.sql("select * from app" + where + " order by app_key limit ? offset ?")
                .params(pageParams).query(AppService::viewOf).list();
        return new Page<>(items, page, size, total);
    }

    public AppView setStatus(String appKey, AppStatus status, Long expectedVersion, String actor) {
        return change(appKey, expectedVersion, actor, "status",
                "update app set status = ?, version = version + 1, updated_at_millis = ? where app_key = ? and version = ?",
                List.of(status.name()), AuditLog.detail("status", status.name()));
    }

    public AppView setGroups(String appKey, List<String> groups, Long expectedVersion, String actor) {
        Checks c = new Checks();
        checkGroups(c, groups);
        throwIfAny(c);
        return change(appKey, expectedVersion, actor, "allowedApiGroups",
                "update app set allowed_groups = ?, version = version + 1, updated_at_millis = ? where app_key = ? and version = ?",
                List.of(String.join(",", groups)), AuditLog.detail("allowedApiGroups", groups));
    }

    /**
     * Makes a new current secret; the old one keeps working until {@code grace} has passed (the configured default
     * when null). A previous secret that had not retired yet is dropped now.
     */
    public AppWithSecret rotateSecret(String appKey, Duration grace, Long expectedVersion, String actor) {
        Duration g = grace == null ? props.secretGrace() : grace;
        Checks c = new Checks();
        c.range("graceSeconds", g.toSeconds(), 0, Duration.ofDays(30).toSeconds());
        throwIfAny(c);
        String secret = newSecret();
        long retireAt = clock.millis() + g.toMillis();
        // The current secret becomes the previous one; the version guard makes sure it is still current when written.
        StoredSecrets current = secrets(appKey);
        AppView v = change(appKey, expectedVersion == null ? current.version() : expectedVersion, actor, "secret",
                "update app set secret_previous = ?, previous_retire_at_millis = ?, secret_current = ?, "
                        + "version = version + 1, updated_at_millis = ? where app_key = ? and version = ?",
                Arrays.asList(current.current(), retireAt, cipher.encrypt(appKey, secret)),
                AuditLog.detail("change", "rotate-secret", "previousRetiresAt", retireAt));
        return new AppWithSecret(v, secret);
    }

    /** Stops accepting the previous secret now. */
    public AppView retirePreviousSecret(String appKey, Long expectedVersion, String actor) {
        return change(appKey, expectedVersion, actor, "secret",
                "update app set secret_previous = null, previous_retire_at_millis = null, version = version + 1, "
                        + "updated_at_millis = ? where app_key = ? and version = ?",
                List.of(), AuditLog.detail("change", "retire-previous-secret"));
    }

    /** What agents load: apps with decrypted secrets, for the keys that exist. */
    public Map<String, AppMetadata> metadata(Collection<String> appKeys) {
        Map<String, AppMetadata> out = new LinkedHashMap<>();
        if (appKeys.isEmpty()) {
            return out;
        }
        String in = String.join(",", java.util.Collections.nCopies(appKeys.size(), "?"));
        jdbc.sql("select * from app where app_key in (" + in + ")").params(new ArrayList<>(appKeys))
                .query((rs, n) -> metadataOf(rs)).list().forEach(a -> out.put(a.appKey(), a));
        return out;
    }

    /** Every app key, streamed to {@code sink} (for the Bloom filter). */
    void forEachKey(java.util.function.Consumer<String> sink) {
        jdbc.sql("select app_key from app").query(rs -> {
            sink.accept(rs.getString(1));
        });
    }

    long count() {
        return jdbc.sql("select count(*) from app").query(Long.class).single();
    }

    private record StoredSecrets(String current, long version) {
    }

    private StoredSecrets secrets(String appKey) {
        return jdbc.sql("select secret_current, version from app where app_key = ?")
                .param(appKey)
                .query((rs, n) -> new StoredSecrets(rs.getString(1), rs.getLong(2)))
                .optional().orElseThrow(() -> ApiException.notFound("no app with key '" + appKey + "'"));
    }

    /**
     * One optimistic update: {@code sql} takes {@code setParams}, then updated-at, key and the version read. With no
     * expected version the current one is used (the caller accepts last-writer-wins for this field).
     */
    private AppView change(String appKey, Long expectedVersion, String actor, String field, String sql,
                           List<Object> setParams, Map<String, Object> detail) {
        AppView after = tx.execute(t -> {
            AppView before = require(appKey);
            long version = expectedVersion == null ? before.version() : expectedVersion;
            List<Object> params = new ArrayList<>(setParams);
            params.add(clock.millis());
            params.add(appKey);
            params.add(version);
            int n = jdbc.sql(sql).params(params).update();
            if (n == 0) {
                throw ApiException.conflict("app '" + appKey + "' is at version " + before.version() + ", not " + version
                        + "; reload it and apply your change again");
            }
            audit.record(actor, AuditAction.UPDATE, "apps", appKey, null, version + 1, detail);
            return require(appKey);
        });
        events.changed(MetadataKind.APP, appKey, after.version());
        return after;
    }

    private AppMetadata metadataOf(ResultSet rs) throws SQLException {
        String key = rs.getString("app_key");
        List<AppSecret> secrets = new ArrayList<>(2);
        secrets.add(new AppSecret(cipher.decrypt(key, rs.getString("secret_current")), null));
        String previous = rs.getString("secret_previous");
        Long retireAt = rs.getObject("previous_retire_at_millis", Long.class);
        if (previous != null && retireAt != null && retireAt > clock.millis()) {
            secrets.add(new AppSecret(cipher.decrypt(key, previous), retireAt));
        }
        return new AppMetadata(key, rs.getString("name"), rs.getString("owner"), AppStatus.valueOf(rs.getString("status")),
                groupsOf(rs.getString("allowed_groups")), secrets, rs.getLong("version"), rs.getLong("updated_at_millis"));
    }

    private static AppView viewOf(ResultSet rs, int row) throws SQLException {
        return new AppView(rs.getString("app_key"), rs.getString("name"), rs.getString("owner"),
                AppStatus.valueOf(rs.getString("status")), groupsOf(rs.getString("allowed_groups")),
                rs.getObject("previous_retire_at_millis", Long.class), rs.getLong("version"),
                rs.getLong("created_at_millis"), rs.getLong("updated_at_millis"));
    }

    private static List<String> groupsOf(String joined) {
        return joined == null || joined.isEmpty() ? List.of() : List.of(joined.split(","));
    }

    private static void checkGroups(Checks c, List<String> groups) {
        if (groups == null) {
            c.fail("allowedApiGroups", null, "is required (an empty list allows no API)");
            return;
        }
        if (groups.size() > MAX_GROUPS) {
            c.fail("allowedApiGroups", groups.size() + " groups", "must have at most " + MAX_GROUPS);
        }
        for (int i = 0; i < groups.size(); i++) {
            c.identifier("allowedApiGroups[" + i + "]", groups.get(i));
        }
        c.distinct("allowedApiGroups", groups);
    }

    static void requiredText(Checks c, String field, String value, int maxLength) {
        if (value == null || value.isBlank()) {
            c.fail(field, value, "is required and may not be blank");
        } else {
            c.maxLength(field, value, maxLength);
        }
    }

    private static void throwIfAny(Checks c) {
        if (!c.errors().isEmpty()) {
            throw new ConfigValidationException("app", c.errors());
        }
    }

    private String newSecret() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** An 8-digit numeric key, as TOP's app keys look; retried on the rare collision by the insert's unique key. */
    private String newAppKey() {
        for (int attempt = 0; attempt < 20; attempt++) {
            String key = Integer.toString(10_000_000 + random.nextInt(90_000_000));
            if (view(key).isEmpty()) {
                return key;
            }
        }
        throw new IllegalStateException("could not find a free app key; pass one explicitly");
    }
}

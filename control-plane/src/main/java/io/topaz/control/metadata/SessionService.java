package io.topaz.control.metadata;

import io.topaz.control.audit.AuditAction;
import io.topaz.control.audit.AuditLog;
import io.topaz.control.web.ApiException;
import io.topaz.model.config.MetadataKind;
import io.topaz.model.metadata.SessionKeys;
import io.topaz.model.metadata.SessionMetadata;
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
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Sellers (users) and sessions: a session is a seller's authorization of an app, standing in for TOP's authorization
 * page. The session key is returned once, at issue; only its SHA-256 is stored. Issues and revokes are audited and
 * announced to agents.
 */
@Service
public class SessionService {

    public record Seller(String userId, String nick, long createdAt) {
    }

    /** A session as operators see it: never its key. */
    public record SessionView(String id, String appKey, String userId, List<String> scopes, long expiresAt,
                              Long revokedAt, long version, long createdAt) {
    }

    public record IssuedSession(SessionView session, String sessionKey) {
    }

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final AppService apps;
    private final AuditLog audit;
    private final MetadataEvents events;
    private final KeyFilters filters;
    private final MetadataProperties props;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    SessionService(JdbcClient jdbc, TransactionTemplate tx, AppService apps, AuditLog audit, MetadataEvents events,
                   KeyFilters filters, MetadataProperties props, Clock clock) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.apps = apps;
        this.audit = audit;
        this.events = events;
        this.filters = filters;
        this.props = props;
        this.clock = clock;
    }

    public Seller createSeller(String userId, String nick, String actor) {
        Checks c = new Checks();
        c.identifier("userId", userId);
        c.maxLength("userId", userId, 64);
        AppService.requiredText(c, "nick", nick, 128);
        throwIfAny("user", c);
        long now = clock.millis();
        try {
            tx.executeWithoutResult(t -> {
                jdbc.sql("insert into seller (user_id, nick, created_at_millis) values (?, ?, ?)")
                        .params(userId, nick, now).update();
                audit.record(actor, AuditAction.CREATE, "users", userId, null, 1L, AuditLog.detail("nick", nick));
            });
        } catch (DuplicateKeyException e) {
            boolean idTaken = jdbc.sql("select count(*) from seller where user_id = ?").param(userId)
                    .query(Long.class).single() > 0;
            throw ApiException.conflict(idTaken ? "a user with id '" + userId + "' already exists"
                    : "a user with nick '" + nick + "' already exists; nicks name one user");
        }
        return new Seller(userId, nick, now);
    }

    public Seller seller(String userId) {
        return jdbc.sql("select * from seller where user_id = ?").param(userId)
                .query((rs, n) -> new Seller(rs.getString("user_id"), rs.getString("nick"), rs.getLong("created_at_millis")))
                .optional().orElseThrow(() -> ApiException.notFound("no user with id '" + userId + "'"));
    }

    public AppService.Page<Seller> sellers(String search, int page, int size) {
        checkPage(page, size);
        String like = search == null ? "%" : "%" + search.toLowerCase().replace("%", "").replace("_", "") + "%";
        long total = jdbc.sql("select count(*) from seller where lower(user_id) like ? or lower(nick) like ?")
                .params(like, like).query(Long.class).single();
        List<Seller> items = jdbc.sql("select * from seller where lower(user_id) like ? or lower(nick) like ? "
                        + "order by user_id limit ? offset ?")
                .params(like, like, size, (long) page * size)
                .query((rs, n) -> new Seller(rs.getString("user_id"), rs.getString("nick"), rs.getLong("created_at_millis")))
                .list();
        return new AppService.Page<>(items, page, size, total);
    }

    /** Issues a session of {@code userId} for {@code appKey}; the key in the answer is shown this once. */
    public IssuedSession issue(String appKey, String userId, List<String> scopes, long expiresInSeconds, String actor) {
        Checks c = new Checks();
        c.required("appKey", appKey);
        c.required("userId", userId);
        c.range("expiresInSeconds", expiresInSeconds, 60, props.maxSessionLifetime().toSeconds());
        List<String> sc = scopes == null ? List.of() : scopes;
        for (int i = 0; i < sc.size(); i++) {
            c.identifier("scopes[" + i + "]", sc.get(i));
        }
        throwIfAny("session", c);
        if (!apps.require(appKey).status().equals(io.topaz.model.config.AppStatus.ACTIVE)) {
            throw new ConfigValidationException("session", List.of(new io.topaz.model.validation.FieldError(
                    "appKey", appKey, "app is disabled; enable it before issuing sessions")));
        }
        seller(userId);
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        String key = "tzs_" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        String hash = SessionKeys.hash(key);
        String id = UUID.randomUUID().toString();
        long now = clock.millis();
        long expiresAt = now + expiresInSeconds * 1000;
        tx.executeWithoutResult(t -> {
            jdbc.sql("""
                            insert into app_session (id, key_hash, app_key, user_id, scopes, expires_at_millis, version,
                                                     created_at_millis)
                            values (?, ?, ?, ?, ?, ?, 1, ?)""")
                    .params(id, hash, appKey, userId, String.join(",", sc), expiresAt, now).update();
            audit.record(actor, AuditAction.CREATE, "sessions", id, null, 1L,
                    AuditLog.detail("appKey", appKey, "userId", userId, "scopes", sc, "expiresAt", expiresAt));
        });
        filters.put(MetadataKind.SESSION, hash);
        events.created(MetadataKind.SESSION, hash, 1);
        return new IssuedSession(new SessionView(id, appKey, userId, sc, expiresAt, null, 1, now), key);
    }

    public SessionView revoke(String id, String actor) {
        record Revoked(SessionView view, String hash) {
        }
        Revoked r = tx.execute(t -> {
            SessionView before = view(id);
            if (before.revokedAt() != null) {
                return new Revoked(before, null);
            }
            jdbc.sql("update app_session set revoked_at_millis = ?, version = version + 1 where id = ? and version = ?")
                    .params(clock.millis(), id, before.version()).update();
            audit.record(actor, AuditAction.REVOKE, "sessions", id, null, before.version() + 1,
                    AuditLog.detail("appKey", before.appKey(), "userId", before.userId()));
            return new Revoked(view(id), hashOf(id));
        });
        if (r.hash() != null) {
            events.changed(MetadataKind.SESSION, r.hash(), r.view().version());
        }
        return r.view();
    }

    public SessionView view(String id) {
        return jdbc.sql("select * from app_session where id = ?").param(id).query(SessionService::viewOf).optional()
                .orElseThrow(() -> ApiException.notFound("no session with id '" + id + "'"));
    }

    /** Sessions of an app or a user (or both), newest first. */
    public AppService.Page<SessionView> list(String appKey, String userId, int page, int size) {
        checkPage(page, size);
        if ((appKey == null || appKey.isBlank()) && (userId == null || userId.isBlank())) {
            throw new ConfigValidationException("query", List.of(new io.topaz.model.validation.FieldError(
                    "appKey", null, "give appKey or userId (or both)")));
        }
        StringBuilder where = new StringBuilder(" where 1 = 1");
        List<Object> params = new ArrayList<>();
        if (appKey != null && !appKey.isBlank()) {
            where.append(" and app_key = ?");
            params.add(appKey);
        }
        if (userId != null && !userId.isBlank()) {
            where.append(" and user_id = ?");
            params.add(userId);
        }
        long total = jdbc.sql("select count(*) from app_session" + where).params(params).query(Long.class).single();
        List<Object> pageParams = new ArrayList<>(params);
        pageParams.add(size);
        pageParams.add((long) page * size);
        List<SessionView> items = jdbc.sql("select * from app_session" + where
                        + " order by created_at_millis desc, id limit ? offset ?")
                .params(pageParams).query(SessionService::viewOf).list();
        return new AppService.Page<>(items, page, size, total);
    }

    /** What agents load, by session key hash, for the hashes that exist. */
    public Map<String, SessionMetadata> metadata(Collection<String> hashes) {
        Map<String, SessionMetadata> out = new LinkedHashMap<>();
        if (hashes.isEmpty()) {
            return out;
        }
        String in = String.join(",", Collections.nCopies(hashes.size(), "?"));
        // the seller's nick travels with the session, so the gateway can tell the upstream who is calling by name
        jdbc.sql("select s.*, u.nick from app_session s join seller u on u.user_id = s.user_id where s.key_hash in ("
                        + in + ")").params(new ArrayList<>(hashes))
                .query((rs, n) -> new SessionMetadata(rs.getString("key_hash"), rs.getString("app_key"),
                        rs.getString("user_id"), rs.getString("nick"), split(rs.getString("scopes")),
                        rs.getLong("expires_at_millis"),
                        rs.getObject("revoked_at_millis") != null, rs.getLong("version")))
                .list().forEach(s -> out.put(s.keyHash(), s));
        return out;
    }

    /** Hashes of every session that has not expired, streamed (for the Bloom filter). */
    void forEachLiveKey(Consumer<String> sink) {
        jdbc.sql("select key_hash from app_session where expires_at_millis > ?").param(clock.millis())
                .query(rs -> {
                    sink.accept(rs.getString(1));
                });
    }

    long countLive() {
        return jdbc.sql("select count(*) from app_session where expires_at_millis > ?").param(clock.millis())
                .query(Long.class).single();
    }

    private String hashOf(String id) {
        return jdbc.sql("select key_hash from app_session where id = ?").param(id).query(String.class).single();
    }

    private static SessionView viewOf(ResultSet rs, int row) throws SQLException {
        return new SessionView(rs.getString("id"), rs.getString("app_key"), rs.getString("user_id"),
                split(rs.getString("scopes")), rs.getLong("expires_at_millis"), rs.getObject("revoked_at_millis", Long.class),
                rs.getLong("version"), rs.getLong("created_at_millis"));
    }

    private static List<String> split(String joined) {
        return joined == null || joined.isEmpty() ? List.of() : List.of(joined.split(","));
    }

    private static void checkPage(int page, int size) {
        Checks c = new Checks();
        c.range("page", page, 0, 1_000_000);
        c.range("size", size, 1, 500);
        throwIfAny("query", c);
    }

    private static void throwIfAny(String subject, Checks c) {
        if (!c.errors().isEmpty()) {
            throw new ConfigValidationException(subject, c.errors());
        }
    }
}

package io.topaz.control.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.topaz.control.web.ApiException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Operator bearer tokens, stored as SHA-256 hashes. A token is 256 random bits, so a fast hash is enough: there is
 * nothing to guess. The secret is returned once, at creation. A token may expire; a revoked one is kept, with when and
 * by whom, and listed. Lookups are cached briefly ({@code topaz.security.token-cache-ttl}); a revocation clears this
 * store's cache and tells the {@link #onRevocation listeners}, which tell the other control planes to clear theirs.
 */
@Service
public class TokenStore {

    /** An authenticated operator. */
    public record Principal(String name, Role role) {
    }

    private static final String PREFIX = "tpz_";
    private final SecureRandom random = new SecureRandom();
    private final JdbcClient jdbc;
    private final Clock clock;
    private final TransactionTemplate tx;
    private final Cache<String, Optional<Active>> cache;
    private final List<Runnable> revocationListeners = new CopyOnWriteArrayList<>();

    TokenStore(JdbcClient jdbc, PlatformTransactionManager transactions, Clock clock, SecurityProperties props) {
        this.jdbc = jdbc;
        this.tx = new TransactionTemplate(transactions);
        this.clock = clock;
        this.cache = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(props.tokenCacheTtl()).build();
    }

    /** Runs {@code listener} after every committed revocation (and every {@link #ensure} that may have revoked). */
    public void onRevocation(Runnable listener) {
        revocationListeners.add(listener);
    }

    /** Drops every cached lookup: another control plane revoked a token. */
    public void dropCached() {
        cache.invalidateAll();
    }

    private void revoked() {
        cache.invalidateAll();
        revocationListeners.forEach(Runnable::run);
    }

    public String newSecret() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Creates a token and returns its secret, which is not stored and cannot be shown again. */
    public String create(String name, Role role, String createdBy) {
        return create(name, role, createdBy, null);
    }

    /** As {@link #create(String, Role, String)}, refused at authentication from {@code expiresAt} on when not null. */
    public String create(String name, Role role, String createdBy, Instant expiresAt) {
        String secret = newSecret();
        insert(name, role, secret, createdBy, expiresAt);
        return secret;
    }

    void insert(String name, Role role, String secret, String createdBy, Instant expiresAt) {
        try {
            jdbc.sql("insert into api_token (name, active_name, role, token_hash, created_at_millis, created_by, "
                            + "expires_at_millis) values (?, ?, ?, ?, ?, ?, ?)")
                    .params(name, name, role.name(), hash(secret), clock.millis(), createdBy,
                            expiresAt == null ? null : expiresAt.toEpochMilli())
                    .update();
        } catch (DuplicateKeyException e) {
            throw ApiException.conflict("a token named '" + name + "' is active; revoke it first or pick another name");
        }
    }

    /**
     * Makes {@code name} an active, non-expiring token with this role and secret (the configured secret is the
     * operator's word): a token that already has the secret is reinstated under that name, even if revoked, and any
     * other active token of the name is revoked; otherwise the active token of the name takes the secret, or a token
     * is created.
     */
    void ensure(String name, Role role, String secret) {
        String h = hash(secret);
        Optional<Long> sameSecret = jdbc.sql("select id from api_token where token_hash = ?").param(h).query(Long.class).optional();
        if (sameSecret.isPresent()) {
            jdbc.sql("update api_token set revoked_at_millis = ?, revoked_by = 'bootstrap', active_name = null "
                            + "where active_name = ? and id <> ?")
                    .params(clock.millis(), name, sameSecret.get()).update();
            jdbc.sql("update api_token set name = ?, active_name = ?, role = ?, expires_at_millis = null, "
                            + "revoked_at_millis = null, revoked_by = null where id = ?")
                    .params(name, name, role.name(), sameSecret.get()).update();
        } else if (jdbc.sql("update api_token set token_hash = ?, role = ?, expires_at_millis = null where active_name = ?")
                .params(h, role.name(), name).update() == 0) {
            insert(name, role, secret, "bootstrap", null);
        }
        revoked();
    }

    /** The operator a secret belongs to, unless it is unknown, revoked or expired (by this store's clock). */
    public Optional<Principal> authenticate(String secret) {
        if (secret == null || !secret.startsWith(PREFIX) || secret.length() > 200) {
            return Optional.empty();
        }
        // the cache keeps the expiry, not the verdict: a cached token still stops working the moment it expires
        return cache.get(hash(secret), h -> jdbc.sql("select name, role, expires_at_millis from api_token "
                                + "where token_hash = ? and revoked_at_millis is null")
                        .param(h)
                        .query((rs, i) -> new Active(new Principal(rs.getString("name"), Role.valueOf(rs.getString("role"))),
                                rs.getObject("expires_at_millis", Long.class)))
                        .optional())
                .filter(a -> a.expiresAtMillis() == null || a.expiresAtMillis() > clock.millis())
                .map(Active::principal);
    }

    /** Every token, revoked ones included, by name and then newest first. */
    public List<OperatorToken> list() {
        long now = clock.millis();
        return jdbc.sql("select name, role, created_at_millis, created_by, expires_at_millis, revoked_at_millis, revoked_by "
                        + "from api_token order by name, created_at_millis desc, id desc")
                .query((rs, i) -> {
                    Long expires = rs.getObject("expires_at_millis", Long.class);
                    Long revoked = rs.getObject("revoked_at_millis", Long.class);
                    OperatorToken.Status status = revoked != null ? OperatorToken.Status.REVOKED
                            : expires != null && expires <= now ? OperatorToken.Status.EXPIRED : OperatorToken.Status.ACTIVE;
                    return new OperatorToken(rs.getString("name"), Role.valueOf(rs.getString("role")), status,
                            instant(rs.getLong("created_at_millis")), rs.getString("created_by"),
                            expires == null ? null : instant(expires), revoked == null ? null : instant(revoked),
                            rs.getString("revoked_by"));
                })
                .list();
    }

    /** Tokens not revoked, expired ones included. */
    public long activeCount() {
        return jdbc.sql("select count(*) from api_token where revoked_at_millis is null").query(Long.class).single();
    }

    /**
     * Revokes the active token named {@code name}, keeping it with the time and who revoked it; returns false when no
     * active token has that name. Refuses (409) to revoke the last usable admin token, since nobody could then manage
     * tokens. Revoking an admin token first locks every active admin token, always in id order, so two revocations at
     * once are serialised: the second sees the first's result and cannot leave zero admins.
     */
    public boolean revoke(String name, String revokedBy) {
        Boolean revoked = tx.execute(status -> {
            Optional<Target> seen = target("select id, role, expires_at_millis from api_token where active_name = ?", name);
            if (seen.isEmpty()) {
                return false;
            }
            if (seen.get().role() == Role.ADMIN) {
                jdbc.sql("select id from api_token where role = 'ADMIN' and revoked_at_millis is null order by id for update")
                        .query(Long.class).list();
            } else {
                jdbc.sql("select id from api_token where id = ? for update").param(seen.get().id()).query(Long.class).list();
            }
            // read again under the lock: a concurrent revocation may have come first
            Optional<Target> locked = target("select id, role, expires_at_millis from api_token "
                    + "where id = ? and revoked_at_millis is null", seen.get().id());
            if (locked.isEmpty()) {
                return false;
            }
            long now = clock.millis();
            if (locked.get().role() == Role.ADMIN && locked.get().usableAt(now)) {
                long otherAdmins = jdbc.sql("select count(*) from api_token where role = 'ADMIN' and revoked_at_millis is null "
                                + "and (expires_at_millis is null or expires_at_millis > ?) and id <> ?")
                        .params(now, locked.get().id()).query(Long.class).single();
                if (otherAdmins == 0) {
                    throw ApiException.conflict("'" + name + "' is the last usable ADMIN token; create another ADMIN token "
                            + "before revoking it, or nobody could manage tokens any more");
                }
            }
            jdbc.sql("update api_token set revoked_at_millis = ?, revoked_by = ?, active_name = null where id = ?")
                    .params(now, revokedBy, locked.get().id()).update();
            return true;
        });
        if (Boolean.TRUE.equals(revoked)) {
            revoked();
        }
        return Boolean.TRUE.equals(revoked);
    }

    private Optional<Target> target(String sql, Object key) {
        return jdbc.sql(sql).param(key)
                .query((rs, i) -> new Target(rs.getLong("id"), Role.valueOf(rs.getString("role")),
                        rs.getObject("expires_at_millis", Long.class)))
                .optional();
    }

    private static String instant(long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }

    /** A token's row as revocation needs it. */
    private record Target(long id, Role role, Long expiresAtMillis) {
        boolean usableAt(long now) {
            return expiresAtMillis == null || expiresAtMillis > now;
        }
    }

    /** A cached, not revoked token: who it is and until when it may be used (null: no expiry). */
    private record Active(Principal principal, Long expiresAtMillis) {
    }

    static String hash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

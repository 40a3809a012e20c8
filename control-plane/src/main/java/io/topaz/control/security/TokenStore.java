package io.topaz.control.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.topaz.control.web.ApiException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

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

/**
 * Operator bearer tokens, stored as SHA-256 hashes. A token is 256 random bits, so a fast hash is enough: there is
 * nothing to guess. The secret is returned once, at creation. Lookups are cached briefly; a revoke clears the cache.
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
    private final Cache<String, Optional<Principal>> cache;

    TokenStore(JdbcClient jdbc, Clock clock, SecurityProperties props) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.cache = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(props.tokenCacheTtl()).build();
    }

    public String newSecret() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Creates a token and returns its secret, which is not stored and cannot be shown again. */
    public String create(String name, Role role, String createdBy) {
        String secret = newSecret();
        insert(name, role, secret, createdBy);
        return secret;
    }

    void insert(String name, Role role, String secret, String createdBy) {
        try {
            jdbc.sql("insert into api_token (name, role, token_hash, created_at_millis, created_by) values (?, ?, ?, ?, ?)")
                    .params(name, role.name(), hash(secret), clock.millis(), createdBy)
                    .update();
        } catch (DuplicateKeyException e) {
            throw ApiException.conflict("a token named '" + name + "' already exists; revoke it first or pick another name");
        }
    }

    /** Makes {@code name} an admin token with this secret, creating or replacing it. */
    void ensure(String name, Role role, String secret) {
        int updated = jdbc.sql("update api_token set token_hash = ?, role = ?, revoked_at_millis = null where name = ?")
                .params(hash(secret), role.name(), name).update();
        if (updated == 0) {
            insert(name, role, secret, "bootstrap");
        }
        cache.invalidateAll();
    }

    public Optional<Principal> authenticate(String secret) {
        if (secret == null || !secret.startsWith(PREFIX) || secret.length() > 200) {
            return Optional.empty();
        }
        return cache.get(hash(secret), h -> jdbc.sql("select name, role from api_token where token_hash = ? and revoked_at_millis is null")
                .param(h)
                .query((rs, i) -> new Principal(rs.getString("name"), Role.valueOf(rs.getString("role"))))
                .optional());
    }

    public List<OperatorToken> list() {
        return jdbc.sql("select name, role, created_at_millis, created_by from api_token where revoked_at_millis is null order by name")
                .query((rs, i) -> new OperatorToken(rs.getString("name"), Role.valueOf(rs.getString("role")),
                        Instant.ofEpochMilli(rs.getLong("created_at_millis")).toString(), rs.getString("created_by")))
                .list();
    }

    public long activeCount() {
        return jdbc.sql("select count(*) from api_token where revoked_at_millis is null").query(Long.class).single();
    }

    /** Revokes a token; returns false when no active token has that name. */
    public boolean revoke(String name) {
        int n = jdbc.sql("delete from api_token where name = ?").param(name).update();
        cache.invalidateAll();
        return n > 0;
    }

    static String hash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

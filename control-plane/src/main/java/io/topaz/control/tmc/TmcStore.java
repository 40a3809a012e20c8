package io.topaz.control.tmc;

import io.topaz.control.web.ApiException;
import io.topaz.model.config.MetadataKind;
import io.topaz.model.validation.FieldError;
import io.topaz.model.validation.ConfigValidationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the permit and group services share: sellers by nick, the version counters of cached items, and running a
 * change in a transaction that is retried when a concurrent change inserted the same row first (on PostgreSQL a
 * unique violation aborts the whole transaction, so the retry is of the transaction, not of the statement).
 */
@Component
class TmcStore {

    /** A seller as the message service needs one: TOP's numeric user id and the unique nick. */
    record Seller(String userId, String nick) {
        long numericId() {
            return Long.parseLong(userId);
        }
    }

    private static final int ATTEMPTS = 3;

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;

    TmcStore(JdbcClient jdbc, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.tx = tx;
    }

    JdbcClient jdbc() {
        return jdbc;
    }

    /** Runs {@code change} in a transaction, again if it lost an insert race. */
    <T> T inTransaction(Supplier<T> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                return tx.execute(t -> change.get());
            } catch (DuplicateKeyException e) {
                if (attempt == ATTEMPTS) {
                    throw ApiException.conflict("a concurrent change of the same item won " + ATTEMPTS
                            + " times; try again");
                }
            }
        }
    }

    /** Bumps and returns the version of a cached item, inside the caller's transaction. */
    long bumpVersion(MetadataKind kind, String key) {
        int n = jdbc.sql("update tmc_version set version = version + 1 where kind = ? and item_key = ?")
                .params(kind.name(), key).update();
        if (n == 0) {
            jdbc.sql("insert into tmc_version (kind, item_key, version) values (?, ?, 1)").params(kind.name(), key).update();
        }
        return version(kind, key);
    }

    long version(MetadataKind kind, String key) {
        return jdbc.sql("select version from tmc_version where kind = ? and item_key = ?").params(kind.name(), key)
                .query(Long.class).optional().orElse(0L);
    }

    /** Versions of many items of a kind; items never changed are left out. */
    Map<String, Long> versions(MetadataKind kind, List<String> keys) {
        Map<String, Long> out = new HashMap<>();
        if (keys.isEmpty()) {
            return out;
        }
        String in = String.join(",", Collections.nCopies(keys.size(), "?"));
        List<Object> params = new ArrayList<>(keys.size() + 1);
        params.add(kind.name());
        params.addAll(keys);
        jdbc.sql("select item_key, version from tmc_version where kind = ? and item_key in (" + in + ")").params(params)
                .query(rs -> {
                    out.put(rs.getString(1), rs.getLong(2));
                });
        return out;
    }

    boolean appExists(String appKey) {
        return jdbc.sql("select count(*) from app where app_key = ?").param(appKey).query(Long.class).single() > 0;
    }

    void requireApp(String appKey) {
        if (appKey == null || !appExists(appKey)) {
            throw ApiException.notFound("no app with key '" + appKey + "'");
        }
    }

    Optional<Seller> sellerById(String userId) {
        return jdbc.sql("select user_id, nick from seller where user_id = ?").param(userId)
                .query((rs, n) -> new Seller(rs.getString(1), rs.getString(2))).optional();
    }

    Optional<Seller> sellerByNick(String nick) {
        return jdbc.sql("select user_id, nick from seller where nick = ?").param(nick)
                .query((rs, n) -> new Seller(rs.getString(1), rs.getString(2))).optional();
    }

    /** Whether {@code userId} is TOP's kind of user id, a positive 64-bit integer, which message clients read as one. */
    static boolean isTopUserId(String userId) {
        if (userId == null || userId.isEmpty() || userId.length() > 19 || userId.charAt(0) == '0') {
            return false;
        }
        for (int i = 0; i < userId.length(); i++) {
            if (userId.charAt(i) < '0' || userId.charAt(i) > '9') {
                return false;
            }
        }
        try {
            return Long.parseLong(userId) > 0;
        } catch (NumberFormatException e) {
            return false; // above Long.MAX_VALUE
        }
    }

    static ConfigValidationException invalid(String subject, List<FieldError> errors) {
        return new ConfigValidationException(subject, errors);
    }
}

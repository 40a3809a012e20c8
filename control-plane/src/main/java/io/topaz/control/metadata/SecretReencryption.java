package io.topaz.control.metadata;

import io.topaz.control.audit.AuditAction;
import io.topaz.control.audit.AuditLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rotates the app-secret encryption key: rewrites every stored secret (current and previous) that is not under the
 * current key — decrypted with whichever known key its id names, encrypted with the current one. The secrets
 * themselves do not change, so apps' versions stay and agents reload nothing. Each row is rewritten only if it still
 * holds what was read (a secret rotated meanwhile is left to its rotation, already under the current key), a batch at
 * a time; the run is audited once, with how many secrets moved from which key. Running it again is harmless. Sync
 * targets' passwords ({@link SyncTargetPasswords}), under the same key, are moved in the same run.
 */
@Service
public class SecretReencryption {

    private static final Logger log = LoggerFactory.getLogger(SecretReencryption.class);
    private static final int BATCH = 200;

    /** What a run did: the current key, secrets rewritten per key id they were under ({@code v1} for no id). */
    public record Result(String currentKeyId, int appsRewritten, Map<String, Integer> rewrittenFrom, int remaining,
                         int syncTargetPasswordsRewritten) {
    }

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final SecretCipher cipher;
    private final AuditLog audit;

    SecretReencryption(JdbcClient jdbc, TransactionTemplate tx, SecretCipher cipher, AuditLog audit) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.cipher = cipher;
        this.audit = audit;
    }

    private record Row(String appKey, String current, String previous) {
    }

    public Result run(String actor) {
        String prefix = SecretCipher.V2 + cipher.currentKeyId() + ":%";
        Map<String, Integer> from = new TreeMap<>();
        int apps = 0;
        String after = "";
        while (true) {
            List<Row> rows = jdbc.sql("select app_key, secret_current, secret_previous from app where app_key > ? and "
                            + "(secret_current not like ? or (secret_previous is not null and secret_previous not like ?)) "
                            + "order by app_key fetch first " + BATCH + " rows only")
                    .params(after, prefix, prefix)
                    .query((rs, n) -> new Row(rs.getString(1), rs.getString(2), rs.getString(3))).list();
            if (rows.isEmpty()) {
                break;
            }
            for (Row row : rows) {
                String current = rewrite(row.appKey(), row.current(), from);
                String previous = row.previous() == null ? null : rewrite(row.appKey(), row.previous(), from);
                int n = row.previous() == null
                        ? jdbc.sql("update app set secret_current = ? where app_key = ? and secret_current = ? "
                                + "and secret_previous is null").params(current, row.appKey(), row.current()).update()
                        : jdbc.sql("update app set secret_current = ?, secret_previous = ? where app_key = ? "
                                + "and secret_current = ? and secret_previous = ?")
                        .params(current, previous, row.appKey(), row.current(), row.previous()).update();
                if (n == 1) {
                    apps++;
                }
                after = row.appKey();
            }
        }
        int passwords = syncTargetPasswords(prefix, from);
        int remaining = jdbc.sql("select count(*) from app where secret_current not like ? "
                        + "or (secret_previous is not null and secret_previous not like ?)")
                .params(prefix, prefix).query(Integer.class).single()
                + jdbc.sql("select count(*) from sync_target_password where password not like ?")
                .param(prefix).query(Integer.class).single();
        Result result = new Result(cipher.currentKeyId(), apps, from, remaining, passwords);
        int rewritten = apps;
        tx.executeWithoutResult(t -> audit.record(actor, AuditAction.SECRETS_REENCRYPT, "apps", "*", null, null,
                AuditLog.detail("keyId", result.currentKeyId(), "appsRewritten", rewritten,
                        "syncTargetPasswordsRewritten", passwords, "rewrittenFrom", result.rewrittenFrom(),
                        "remaining", remaining)));
        log.info("re-encrypted the secrets of {} app(s) and {} sync-target password(s) under key {} (from {}); {} left "
                + "under other keys", apps, passwords, cipher.currentKeyId(), from, remaining);
        return result;
    }

    private record PasswordRow(String target, String stored) {
    }

    /** Sync targets' passwords, a batch at a time, each rewritten only if it still holds what was read. */
    private int syncTargetPasswords(String prefix, Map<String, Integer> from) {
        int rewritten = 0;
        String after = "";
        while (true) {
            List<PasswordRow> rows = jdbc.sql("select target_name, password from sync_target_password where "
                            + "target_name > ? and password not like ? order by target_name fetch first " + BATCH
                            + " rows only")
                    .params(after, prefix)
                    .query((rs, n) -> new PasswordRow(rs.getString(1), rs.getString(2))).list();
            if (rows.isEmpty()) {
                return rewritten;
            }
            for (PasswordRow row : rows) {
                String bound = SyncTargetPasswords.boundTo(row.target());
                String moved = rewrite(bound, row.stored(), from);
                rewritten += jdbc.sql("update sync_target_password set password = ? where target_name = ? "
                        + "and password = ?").params(moved, row.target(), row.stored()).update();
                after = row.target();
            }
        }
    }

    private String rewrite(String appKey, String stored, Map<String, Integer> from) {
        if (cipher.isCurrent(stored)) {
            return stored;
        }
        String plain = cipher.decrypt(appKey, stored);
        from.merge(SecretCipher.keyIdOf(stored).orElse("v1"), 1, Integer::sum);
        return cipher.encrypt(appKey, plain);
    }
}

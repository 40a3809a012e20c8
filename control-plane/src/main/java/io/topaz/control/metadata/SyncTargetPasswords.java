package io.topaz.control.metadata;

import io.topaz.control.audit.AuditAction;
import io.topaz.control.audit.AuditLog;
import io.topaz.control.config.ConfigService;
import io.topaz.control.release.ReleaseService;
import io.topaz.control.web.ApiException;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.config.MetadataKind;
import io.topaz.model.validation.ConfigValidationException;
import io.topaz.model.validation.FieldError;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Order-sync targets' database passwords: not config (a release is readable by every agent and operator), but kept in
 * the control plane's database, encrypted under the app-secret key ({@link SecretCipher}, bound to
 * {@code sync-target:<name>} so a value cannot be passed off as another target's or an app's). Set and removed by
 * admins (audited, never echoed, never logged); read by the syncing agents through the AGENT-role lookup. Each change
 * is announced as a {@link MetadataKind#SYNC_TARGET} metadata event after it commits, so agents read it again.
 *
 * <p>A password may be set only for a target that exists in the draft or in the live release: setting it before the
 * publish that creates the target lets the agent find it when it starts syncing. Removing needs no such target, so a
 * password left behind by a deleted target can be cleaned up.
 */
@Service
public class SyncTargetPasswords {

    static final int MAX_BYTES = 1000;
    static final int MAX_NAME = 255;

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final SecretCipher cipher;
    private final AuditLog audit;
    private final MetadataEvents events;
    private final ConfigService config;
    private final ReleaseService releases;
    private final Clock clock;

    SyncTargetPasswords(JdbcClient jdbc, TransactionTemplate tx, SecretCipher cipher, AuditLog audit,
                        MetadataEvents events, ConfigService config, ReleaseService releases, Clock clock) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.cipher = cipher;
        this.audit = audit;
        this.events = events;
        this.config = config;
        this.releases = releases;
        this.clock = clock;
    }

    /** What binds a stored password to its target (the cipher's associated data); never a valid app key. */
    static String boundTo(String target) {
        return "sync-target:" + target;
    }

    /** Sets (or replaces) the password of {@code target}; answers the new version. */
    public long set(String target, String password, String actor) throws Exception {
        List<FieldError> errors = new java.util.ArrayList<>();
        if (password == null || password.isEmpty()) {
            errors.add(new FieldError("password", null, "is required and may not be empty (to remove it: DELETE)"));
        } else if (password.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            errors.add(new FieldError("password", "(hidden)", "must be at most " + MAX_BYTES + " bytes (UTF-8)"));
        }
        if (!configured(target)) {
            errors.add(new FieldError("name", target, "must name a sync target in the draft or the live release "
                    + "(create it first: POST /api/v1/sync-targets)"));
        }
        if (!errors.isEmpty()) {
            throw new ConfigValidationException("the password of sync target '" + target + "' was not set", errors);
        }
        String sealed = cipher.encrypt(boundTo(target), password);
        long now = clock.millis();
        long version;
        try {
            version = tx.execute(t -> {
            Optional<Long> before = version(target);
            long next = before.orElse(0L) + 1;
            if (before.isPresent()) {
                jdbc.sql("update sync_target_password set password = ?, version = ?, updated_by = ?, "
                        + "updated_at_millis = ? where target_name = ?").params(sealed, next, actor, now, target).update();
            } else {
                jdbc.sql("insert into sync_target_password (target_name, password, version, updated_by, "
                        + "updated_at_millis) values (?, ?, ?, ?, ?)").params(target, sealed, next, actor, now).update();
            }
            audit.record(actor, before.isPresent() ? AuditAction.UPDATE : AuditAction.CREATE,
                    ConfigKind.SYNC_TARGETS.name(), target, null, next, AuditLog.detail("change", "set-password"));
            return next;
            });
        } catch (DuplicateKeyException e) {
            throw ApiException.conflict("the password of sync target '" + target + "' was set by someone else at the "
                    + "same moment; set it again if yours should win");
        }
        events.changed(MetadataKind.SYNC_TARGET, target, version);
        return version;
    }

    /** Removes the password of {@code target}; 404 when none is stored. */
    public void delete(String target, String actor) {
        long version = tx.execute(t -> {
            long before = version(target).orElseThrow(() ->
                    ApiException.notFound("sync target '" + target + "' has no password stored"));
            jdbc.sql("delete from sync_target_password where target_name = ?").param(target).update();
            audit.record(actor, AuditAction.DELETE, ConfigKind.SYNC_TARGETS.name(), target, null, before + 1,
                    AuditLog.detail("change", "delete-password"));
            return before + 1;
        });
        events.changed(MetadataKind.SYNC_TARGET, target, version);
    }

    /** The decrypted password, for the syncing agents; empty when none is stored. */
    public Optional<String> password(String target) {
        return jdbc.sql("select password from sync_target_password where target_name = ?").param(target)
                .query(String.class).optional().map(stored -> cipher.decrypt(boundTo(target), stored));
    }

    /** Whether a password is stored for {@code target}, and its version. */
    public Optional<Long> version(String target) {
        return jdbc.sql("select version from sync_target_password where target_name = ?").param(target)
                .query(Long.class).optional();
    }

    private boolean configured(String target) throws Exception {
        if (target == null || target.isEmpty() || target.length() > MAX_NAME) {
            return false;
        }
        return config.get(ConfigKind.SYNC_TARGETS, target).isPresent()
                || releases.liveContent().syncTargets().containsKey(target);
    }
}

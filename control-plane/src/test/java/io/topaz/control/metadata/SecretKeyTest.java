package io.topaz.control.metadata;

import io.topaz.control.audit.AuditLog;
import io.topaz.control.security.OwnerOnlyFiles;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 19 point 6: the encryption key is required with a shared database, stored secrets name their key, a control
 * plane that cannot decrypt refuses to start, the re-encryption rotates the key, and key files are owner-only.
 */
class SecretKeyTest {

    @TempDir
    Path dir;

    private static String newKey() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return Base64.getEncoder().encodeToString(k);
    }

    private static MetadataProperties props(String key, Path keyFile, List<String> previous) {
        return new MetadataProperties(key, keyFile, previous, null, Duration.ofHours(24), Duration.ofMinutes(15), 1000,
                Duration.ofDays(365));
    }

    @Test
    void aSharedDatabaseNeedsAnExplicitKeyAndNeverGeneratesOne() {
        Path keyFile = dir.resolve("metadata-key");
        assertThatThrownBy(() -> SecretCipher.fromSettings(props(null, keyFile, null), false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("TOPAZ_METADATA_ENCRYPTION_KEY")
                .hasMessageContaining("same on every control-plane instance");
        assertThat(keyFile).doesNotExist();
        assertThat(MetadataConfiguration.embedded("jdbc:postgresql://db/topaz")).isFalse();
        assertThat(MetadataConfiguration.embedded("jdbc:h2:file:/var/lib/topaz/h2/cp")).isTrue();

        // given explicitly: by value, or by a key file that exists
        String key = newKey();
        assertThat(SecretCipher.fromSettings(props(key, keyFile, null), false).currentKeyId())
                .isEqualTo(SecretCipher.keyId(Base64.getDecoder().decode(key)));
        SecretCipher embedded = SecretCipher.fromSettings(props(null, keyFile, null), true); // generates
        assertThat(SecretCipher.fromSettings(props(null, keyFile, null), false).currentKeyId())
                .isEqualTo(embedded.currentKeyId());
    }

    @Test
    void aGeneratedKeyFileAndItsDirectoryAreOwnerOnlyFromCreation() throws Exception {
        Path keyFile = dir.resolve("fresh/data/metadata-key");
        SecretCipher.fromSettings(props(null, keyFile, null), true);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile.getParent()))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("fresh")))).isEqualTo("rwx------");

        // a token file that exists with wider permissions is replaced by an owner-only one, and no temporary is left
        Path token = dir.resolve("admin-token");
        Files.writeString(token, "old\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
        OwnerOnlyFiles.replace(token, "tpz_new\n");
        assertThat(token).hasContent("tpz_new");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(token))).isEqualTo("rw-------");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("fresh", "admin-token");
        }
    }

    @Test
    void storedSecretsNameTheirKeyAndPreviousKeysStillDecrypt() {
        String oldKey = newKey();
        SecretCipher old = new SecretCipher(Base64.getDecoder().decode(oldKey));
        String stored = old.encrypt("app-1", "s3cret");
        assertThat(stored).startsWith("v2:" + old.currentKeyId() + ":");
        assertThat(SecretCipher.keyIdOf(stored)).contains(old.currentKeyId());

        SecretCipher rotated = SecretCipher.fromSettings(props(newKey(), null, List.of(oldKey)), false);
        assertThat(rotated.currentKeyId()).isNotEqualTo(old.currentKeyId());
        assertThat(rotated.decrypt("app-1", stored)).isEqualTo("s3cret");
        assertThat(rotated.isCurrent(stored)).isFalse();
        assertThat(rotated.encrypt("app-1", "s3cret")).startsWith("v2:" + rotated.currentKeyId() + ":");

        SecretCipher stranger = new SecretCipher(Base64.getDecoder().decode(newKey()));
        assertThatThrownBy(() -> stranger.decrypt("app-1", stored))
                .hasMessageContaining("key id " + old.currentKeyId());
    }

    @Test
    void startRefusedWhenSecretsDoNotDecryptAndReencryptionRotatesTheKey() {
        DataSource db = new DriverManagerDataSource("jdbc:h2:mem:keys-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");
        Flyway.configure().dataSource(db).locations("classpath:db/migration").load().migrate();
        JdbcClient jdbc = JdbcClient.create(db);
        String oldKey = newKey();
        SecretCipher old = new SecretCipher(Base64.getDecoder().decode(oldKey));
        String legacyV1 = "v1:" + old.encrypt("app-2", "two").substring(("v2:" + old.currentKeyId() + ":").length());
        insert(jdbc, "app-1", old.encrypt("app-1", "one"), old.encrypt("app-1", "one-before"));
        insert(jdbc, "app-2", legacyV1, null);
        jdbc.sql("insert into sync_target_password (target_name, password, version, updated_by, updated_at_millis) "
                + "values ('erp', ?, 1, 'admin', 0)").param(old.encrypt(SyncTargetPasswords.boundTo("erp"), "db-pw"))
                .update();
        new SecretKeyCheck(jdbc, old).check(); // the key it was written with: starts

        String newKey = newKey();
        SecretCipher onlyNew = new SecretCipher(Base64.getDecoder().decode(newKey));
        assertThatThrownBy(() -> new SecretKeyCheck(jdbc, onlyNew).check())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("will not start")
                .hasMessageContaining("app-1")
                .hasMessageContaining(old.currentKeyId())
                .hasMessageContaining("topaz.metadata.previous-keys");

        SecretCipher rotated = SecretCipher.fromSettings(props(newKey, null, List.of(oldKey)), false);
        new SecretKeyCheck(jdbc, rotated).check();
        AuditLog audit = new AuditLog(jdbc, Clock.systemUTC());
        SecretReencryption reencryption = new SecretReencryption(jdbc,
                new TransactionTemplate(new DataSourceTransactionManager(db)), rotated, audit);
        SecretReencryption.Result result = reencryption.run("admin-1");
        assertThat(result.appsRewritten()).isEqualTo(2);
        assertThat(result.syncTargetPasswordsRewritten()).isEqualTo(1);
        assertThat(result.rewrittenFrom()).containsEntry(old.currentKeyId(), 3).containsEntry("v1", 1);
        assertThat(result.remaining()).isZero();
        List<String> stored = jdbc.sql("select secret_current from app union all "
                + "select secret_previous from app where secret_previous is not null union all "
                + "select password from sync_target_password").query(String.class).list();
        assertThat(stored).hasSize(4).allMatch(s -> s.startsWith("v2:" + rotated.currentKeyId() + ":"));
        assertThat(jdbc.sql("select count(*) from audit_event where action = 'SECRETS_REENCRYPT' and actor = 'admin-1'")
                .query(Integer.class).single()).isEqualTo(1);

        // the old key can go now: the new one alone reads everything
        new SecretKeyCheck(jdbc, onlyNew).check();
        assertThat(onlyNew.decrypt("app-1", jdbc.sql("select secret_previous from app where app_key = 'app-1'")
                .query(String.class).single())).isEqualTo("one-before");
        assertThat(onlyNew.decrypt("app-2", jdbc.sql("select secret_current from app where app_key = 'app-2'")
                .query(String.class).single())).isEqualTo("two");
        assertThat(onlyNew.decrypt(SyncTargetPasswords.boundTo("erp"), jdbc.sql("select password from "
                + "sync_target_password").query(String.class).single())).isEqualTo("db-pw");
        assertThat(reencryption.run("admin-1").syncTargetPasswordsRewritten()).isZero();
        assertThat(reencryption.run("admin-1").appsRewritten()).isZero();
    }

    @Test
    void startRefusedWhenASyncTargetsPasswordIsUnderAnUnknownKey() {
        DataSource db = new DriverManagerDataSource("jdbc:h2:mem:keys-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");
        Flyway.configure().dataSource(db).locations("classpath:db/migration").load().migrate();
        JdbcClient jdbc = JdbcClient.create(db);
        SecretCipher old = new SecretCipher(Base64.getDecoder().decode(newKey()));
        jdbc.sql("insert into sync_target_password (target_name, password, version, updated_by, updated_at_millis) "
                + "values ('erp', ?, 1, 'admin', 0)").param(old.encrypt(SyncTargetPasswords.boundTo("erp"), "db-pw"))
                .update();
        new SecretKeyCheck(jdbc, old).check();
        assertThatThrownBy(() -> new SecretKeyCheck(jdbc, new SecretCipher(Base64.getDecoder().decode(newKey()))).check())
                .hasMessageContaining("will not start")
                .hasMessageContaining("sync target erp's password")
                .hasMessageContaining(old.currentKeyId());
        // a value cannot be passed off as another target's: the cipher binds it to the name
        String stored = jdbc.sql("select password from sync_target_password").query(String.class).single();
        assertThatThrownBy(() -> old.decrypt(SyncTargetPasswords.boundTo("other"), stored))
                .isInstanceOf(IllegalStateException.class);
    }

    private static void insert(JdbcClient jdbc, String key, String current, String previous) {
        jdbc.sql("insert into app (app_key, name, owner, status, allowed_groups, secret_current, secret_previous, "
                        + "previous_retire_at_millis, version, created_at_millis, updated_at_millis) "
                        + "values (?, 'n', 'o', 'ACTIVE', '', ?, ?, ?, 1, 0, 0)")
                .params(key, current, previous, previous == null ? null : Long.MAX_VALUE).update();
    }
}

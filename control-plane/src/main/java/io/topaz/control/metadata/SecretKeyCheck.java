package io.topaz.control.metadata;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;

/**
 * Refuses to start a control plane that could not read the app secrets (and sync targets' passwords) it stores: a stored secret names a key id
 * this instance does not have (another instance, or a previous configuration, used another key), or a sample of the
 * secrets does not decrypt. Found at start, with the keys to configure, rather than by the first agent's lookup of
 * the app failing.
 */
@Component
class SecretKeyCheck implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(SecretKeyCheck.class);
    static final int SAMPLE = 20;

    private final JdbcClient jdbc;
    private final SecretCipher cipher;

    SecretKeyCheck(JdbcClient jdbc, SecretCipher cipher) {
        this.jdbc = jdbc;
        this.cipher = cipher;
    }

    @Override
    public void afterPropertiesSet() {
        check();
    }

    void check() {
        // One stored secret, current or previous, whose key id is none of ours (v1 values name no key: sampled below).
        List<Object> params = new ArrayList<>();
        StringBuilder unknownCurrent = new StringBuilder("secret_current not like 'v1:%'");
        StringBuilder unknownPrevious = new StringBuilder("secret_previous is not null and secret_previous not like 'v1:%'");
        for (String id : cipher.knownKeyIds()) {
            unknownCurrent.append(" and secret_current not like ?");
            unknownPrevious.append(" and secret_previous not like ?");
        }
        cipher.knownKeyIds().forEach(id -> params.add(SecretCipher.V2 + id + ":%"));
        cipher.knownKeyIds().forEach(id -> params.add(SecretCipher.V2 + id + ":%"));
        jdbc.sql("select app_key, secret_current, secret_previous from app where (" + unknownCurrent + ") or ("
                        + unknownPrevious + ") order by app_key fetch first 1 rows only")
                .params(params)
                .query((rs, n) -> {
                    String stored = rs.getString(2);
                    if (stored == null || cipher.isKnown(stored)) {
                        stored = rs.getString(3);
                    }
                    return refuse("app " + rs.getString(1) + "'s secret", stored);
                })
                .optional().ifPresent(e -> {
                    throw e;
                });
        List<Object> known = new ArrayList<>();
        StringBuilder unknownPassword = new StringBuilder("password not like 'v1:%'");
        for (String id : cipher.knownKeyIds()) {
            unknownPassword.append(" and password not like ?");
            known.add(SecretCipher.V2 + id + ":%");
        }
        jdbc.sql("select target_name, password from sync_target_password where " + unknownPassword
                        + " order by target_name fetch first 1 rows only")
                .params(known)
                .query((rs, n) -> refuse("sync target " + rs.getString(1) + "'s password", rs.getString(2)))
                .optional().ifPresent(e -> {
                    throw e;
                });
        List<String[]> passwords = jdbc.sql("select target_name, password from sync_target_password order by "
                        + "target_name fetch first " + SAMPLE + " rows only")
                .query((rs, n) -> new String[]{SyncTargetPasswords.boundTo(rs.getString(1)), rs.getString(2)}).list();
        List<String[]> sample = jdbc.sql("select app_key, secret_current from app order by app_key fetch first "
                        + SAMPLE + " rows only")
                .query((rs, n) -> new String[]{rs.getString(1), rs.getString(2)}).list();
        List<String[]> checked = new ArrayList<>(sample);
        checked.addAll(passwords);
        for (String[] row : checked) {
            try {
                cipher.decrypt(row[0], row[1]);
            } catch (IllegalStateException e) {
                throw new IllegalStateException("the control plane cannot decrypt the stored app secrets, and will not "
                        + "start: " + e.getMessage());
            }
        }
        log.info("app-secret encryption key {} (known keys {}): {} stored secret(s) checked", cipher.currentKeyId(),
                cipher.knownKeyIds(), checked.size());
    }

    private IllegalStateException refuse(String whose, String stored) {
        String id = SecretCipher.keyIdOf(stored).orElse("?");
        return new IllegalStateException("the control plane cannot decrypt the stored app secrets, and will not start: "
                + whose + " is encrypted with key id " + id + ", and this instance knows only "
                + cipher.knownKeyIds() + ". Give every instance the same topaz.metadata.encryption-key (or key file); "
                + "after a key change, list the old key in topaz.metadata.previous-keys until "
                + "POST /api/v1/apps/secrets/reencrypt has run");
    }
}

package io.topaz.control.security;

import io.topaz.model.zk.ZkLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Makes sure a fresh control plane can be reached: an admin token from configuration, or a generated one written to a
 * file only the owner can read. The secret itself is never logged.
 *
 * <p>Done under the ZooKeeper lock {@link ZkLayout#bootstrapLock()}: two control planes starting together on one
 * database must create one token, not two (or one each, or fail on the name's uniqueness); the second sees the first's
 * token and creates none.
 */
@Component
class BootstrapAdminToken implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(BootstrapAdminToken.class);
    static final String NAME = "bootstrap-admin";

    private final TokenStore tokens;
    private final SecurityProperties props;
    private final BootstrapLock lock;

    BootstrapAdminToken(TokenStore tokens, SecurityProperties props, BootstrapLock lock) {
        this.tokens = tokens;
        this.props = props;
        this.lock = lock;
    }

    @Override
    public void run(ApplicationArguments args) {
        lock.run(this::ensureAdmin);
    }

    private void ensureAdmin() {
        if (!props.bootstrapAdminToken().isBlank()) {
            if (!props.bootstrapAdminToken().startsWith("tpz_") || props.bootstrapAdminToken().length() < 24) {
                throw new IllegalArgumentException("topaz.security.bootstrap-admin-token must start with 'tpz_' and be at "
                        + "least 24 characters (use 'tpz_' + 32 random bytes in base64url)");
            }
            tokens.ensure(NAME, Role.ADMIN, props.bootstrapAdminToken());
            log.info("admin token '{}' is set from configuration", NAME);
            return;
        }
        if (tokens.activeCount() > 0) {
            return;
        }
        String secret = tokens.create(NAME, Role.ADMIN, "bootstrap");
        Path file = props.bootstrapTokenFile().toAbsolutePath();
        try {
            OwnerOnlyFiles.replace(file, secret + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the bootstrap admin token to " + file, e);
        }
        log.warn("no operator tokens existed: created admin token '{}' and wrote it to {}", NAME, file);
    }
}

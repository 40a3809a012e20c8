package io.topaz.control.security;

import io.topaz.control.ha.Leadership;
import io.topaz.control.zk.ZooKeeperProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.util.function.Supplier;

/**
 * The control plane's own {@link Role#AGENT} token, presented on agents' broker ports ({@code /internal/v1/…}) to read
 * queue statistics and to list, replay and purge dead letters. Agents check a token by asking this control plane
 * ({@code GET /api/v1/me}), so the token must be one of its own tokens.
 *
 * <p>With {@code topaz.broker.agent-token} set, that secret is made the active token named {@value #NAME} (the setting
 * for several control-plane instances sharing one database: they must present the same secret). Otherwise a fresh
 * secret is issued at first use and kept in memory only: its row in the token table holds only the hash, it replaces
 * the one this name held before (a restarted control plane rotates it; no rows pile up), and it is never logged or
 * written to a file. Nothing has to be set up by hand, in the quickstart or anywhere.
 *
 * <p>If an admin revokes the token, the next use issues a new secret under the same name.
 *
 * <p>Several control planes: with {@code topaz.broker.agent-token} set, each makes that one secret the active token
 * named {@value #NAME}, under the start-up lock ({@link BootstrapLock}) so two doing it at once create it once. Without
 * it and with an external ZooKeeper (where other instances may run), each instance issues its own in-memory secret
 * under a name of its own, {@value #NAME}{@code -<instance id>} ({@code topaz.ha.instance-id}): one instance's restart
 * would otherwise replace the secret the others still present, and their calls to agents' broker ports would fail
 * until they re-issued it, replacing it in turn. Keep the instance id stable, so that a restart reuses its name.
 */
@Component
public class InternalAgentToken {

    private static final Logger log = LoggerFactory.getLogger(InternalAgentToken.class);
    static final String NAME = "control-plane-broker";

    private final TokenStore tokens;
    private final String configured;
    private final Supplier<String> name;
    private final BootstrapLock lock;
    private String secret;

    InternalAgentToken(TokenStore tokens, @Value("${topaz.broker.agent-token:}") String configured,
                       ZooKeeperProperties zookeeper, Leadership leadership, BootstrapLock lock) {
        this.tokens = tokens;
        this.lock = lock;
        this.configured = configured == null ? "" : configured.trim();
        boolean shared = !this.configured.isEmpty() || zookeeper.embedded();
        this.name = shared ? () -> NAME : () -> NAME + "-" + leadership.instanceId();
        if (!this.configured.isEmpty() && (!this.configured.startsWith("tpz_") || this.configured.length() < 24)) {
            throw new IllegalArgumentException("topaz.broker.agent-token must start with 'tpz_' and be at least 24 "
                    + "characters (use 'tpz_' + 32 random bytes in base64url)");
        }
    }

    /** The token's name: {@value #NAME}, or {@value #NAME}{@code -<instance id>} (see above). */
    public String name() {
        return name.get();
    }

    /** The secret to send as {@code Authorization: Bearer …}; issued (again) when missing or no longer valid. */
    public synchronized String secret() {
        if (secret != null && tokens.authenticate(secret).filter(p -> p.role() == Role.AGENT).isPresent()) {
            return secret;
        }
        String next = configured.isEmpty() ? tokens.newSecret() : configured;
        String tokenName = name.get();
        if (configured.isEmpty()) {
            tokens.ensure(tokenName, Role.AGENT, next);
        } else {
            lock.run(() -> tokens.ensure(tokenName, Role.AGENT, next));
        }
        log.info("the control plane's AGENT token for agents' broker ports ('{}') is {}", tokenName,
                configured.isEmpty() ? "issued, kept in memory" : "set from topaz.broker.agent-token");
        secret = next;
        return secret;
    }
}

package io.topaz.control.security;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

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
 */
@Component
public class InternalAgentToken {

    private static final Logger log = LoggerFactory.getLogger(InternalAgentToken.class);
    static final String NAME = "control-plane-broker";

    private final TokenStore tokens;
    private final String configured;
    private String secret;

    InternalAgentToken(TokenStore tokens, @Value("${topaz.broker.agent-token:}") String configured) {
        this.tokens = tokens;
        this.configured = configured == null ? "" : configured.trim();
        if (!this.configured.isEmpty() && (!this.configured.startsWith("tpz_") || this.configured.length() < 24)) {
            throw new IllegalArgumentException("topaz.broker.agent-token must start with 'tpz_' and be at least 24 "
                    + "characters (use 'tpz_' + 32 random bytes in base64url)");
        }
    }

    /** The secret to send as {@code Authorization: Bearer …}; issued (again) when missing or no longer valid. */
    public synchronized String secret() {
        if (secret != null && tokens.authenticate(secret).filter(p -> p.role() == Role.AGENT).isPresent()) {
            return secret;
        }
        String next = configured.isEmpty() ? tokens.newSecret() : configured;
        tokens.ensure(NAME, Role.AGENT, next);
        log.info("the control plane's AGENT token for agents' broker ports ('{}') is {}", NAME,
                configured.isEmpty() ? "issued, kept in memory" : "set from topaz.broker.agent-token");
        secret = next;
        return secret;
    }
}

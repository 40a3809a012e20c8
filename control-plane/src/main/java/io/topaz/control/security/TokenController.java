package io.topaz.control.security;

import io.topaz.control.audit.AuditAction;
import io.topaz.control.audit.AuditLog;
import io.topaz.control.web.ApiException;
import io.topaz.model.validation.Checks;
import io.topaz.model.validation.ConfigValidationException;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * {@code /api/v1/tokens}: admins create, list and revoke operator tokens. A token's secret is shown once; a token may
 * expire; a revoked token stays listed with when and by whom it was revoked.
 */
@RestController
@RequestMapping("/api/v1/tokens")
class TokenController {

    /** {@code expiresInSeconds}: optional; without it the token does not expire. */
    record CreateTokenRequest(String name, Role role, Long expiresInSeconds) {
    }

    record CreatedToken(String name, Role role, String token, String expiresAt) {
    }

    /** Ten years: a longer lifetime is a typo more often than a wish; omit the field for a token that does not expire. */
    static final long MAX_LIFETIME_SECONDS = 10L * 365 * 24 * 3600;

    private final TokenStore tokens;
    private final AuditLog audit;
    private final Clock clock;

    TokenController(TokenStore tokens, AuditLog audit, Clock clock) {
        this.tokens = tokens;
        this.audit = audit;
        this.clock = clock;
    }

    @GetMapping
    List<OperatorToken> list() {
        return tokens.list();
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    CreatedToken create(@RequestBody CreateTokenRequest req, Authentication auth) {
        Checks c = new Checks();
        c.identifier("name", req.name());
        c.required("role", req.role());
        if (req.expiresInSeconds() != null) {
            c.range("expiresInSeconds", req.expiresInSeconds(), 1, MAX_LIFETIME_SECONDS);
        }
        if (!c.errors().isEmpty()) {
            throw new ConfigValidationException("token", c.errors());
        }
        // whole milliseconds, as stored, so the answer and the listing agree
        Instant expiresAt = req.expiresInSeconds() == null ? null
                : Instant.ofEpochMilli(clock.millis()).plusSeconds(req.expiresInSeconds());
        String secret = tokens.create(req.name(), req.role(), auth.getName(), expiresAt);
        audit.record(auth.getName(), AuditAction.TOKEN_CREATE, "tokens", req.name(), null, null,
                AuditLog.detail("role", req.role().name(), "expiresAt", expiresAt == null ? null : expiresAt.toString()));
        return new CreatedToken(req.name(), req.role(), secret, expiresAt == null ? null : expiresAt.toString());
    }

    @DeleteMapping("/{name}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void revoke(@PathVariable String name, Authentication auth) {
        if (!tokens.revoke(name, auth.getName())) {
            throw ApiException.notFound("no active token named '" + name + "'");
        }
        audit.record(auth.getName(), AuditAction.TOKEN_REVOKE, "tokens", name, null, null, null);
    }
}

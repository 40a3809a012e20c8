package io.topaz.control.security;

import io.topaz.control.audit.AuditAction;
import io.topaz.control.audit.AuditLog;
import io.topaz.control.web.ApiException;
import io.topaz.control.web.JsonBodies;
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

import java.util.List;

/** {@code /api/v1/tokens}: admins create, list and revoke operator tokens. A token's secret is shown once. */
@RestController
@RequestMapping("/api/v1/tokens")
class TokenController {

    record CreateTokenRequest(String name, Role role) {
    }

    record CreatedToken(String name, Role role, String token) {
    }

    private final TokenStore tokens;
    private final AuditLog audit;

    TokenController(TokenStore tokens, AuditLog audit) {
        this.tokens = tokens;
        this.audit = audit;
    }

    @GetMapping
    List<OperatorToken> list() {
        return tokens.list();
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    CreatedToken create(@RequestBody(required = false) byte[] body, Authentication auth) {
        CreateTokenRequest req = JsonBodies.read(body, CreateTokenRequest.class, "token");
        Checks c = new Checks();
        c.identifier("name", req.name());
        c.required("role", req.role());
        if (!c.errors().isEmpty()) {
            throw new ConfigValidationException("token", c.errors());
        }
        String secret = tokens.create(req.name(), req.role(), auth.getName());
        audit.record(auth.getName(), AuditAction.TOKEN_CREATE, "tokens", req.name(), null, null,
                AuditLog.detail("role", req.role().name()));
        return new CreatedToken(req.name(), req.role(), secret);
    }

    @DeleteMapping("/{name}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void revoke(@PathVariable String name, Authentication auth) {
        if (!tokens.revoke(name)) {
            throw ApiException.notFound("no token named '" + name + "'");
        }
        audit.record(auth.getName(), AuditAction.TOKEN_REVOKE, "tokens", name, null, null, null);
    }
}

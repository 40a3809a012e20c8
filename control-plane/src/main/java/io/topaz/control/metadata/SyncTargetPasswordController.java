package io.topaz.control.metadata;

import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.topaz.control.web.ApiException;
import io.topaz.model.json.Json;
import io.topaz.model.validation.ConfigValidationException;
import io.topaz.model.validation.FieldError;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;

import java.util.List;

/**
 * Sync targets' passwords ({@link SyncTargetPasswords}): {@code PUT} and {@code DELETE /api/v1/sync-targets/{name}/password}
 * for admins, and the agents' lookup {@code GET /api/v1/metadata/sync-targets/{name}/password} (AGENT role only).
 * A password is never echoed: not in an answer to an admin, not in an error (a body that is not JSON is refused without
 * quoting it), not in the audit record.
 */
@RestController
class SyncTargetPasswordController {

    /** The body of a PUT. */
    record PasswordBody(String password) {
    }

    /** What a PUT answers: never the password. */
    record PasswordSet(String target, long version) {
    }

    /** What an agent reads. */
    record Password(String password) {
    }

    private final SyncTargetPasswords passwords;

    SyncTargetPasswordController(SyncTargetPasswords passwords) {
        this.passwords = passwords;
    }

    @PutMapping("/api/v1/sync-targets/{name}/password")
    PasswordSet set(@PathVariable String name,
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                            description = "{\"password\":\"...\"}: the target database user's password (never echoed)",
                            content = @Content(mediaType = "application/json",
                                    schema = @Schema(implementation = PasswordBody.class)))
                    @RequestBody(required = false) byte[] body, Authentication auth)
            throws Exception {
        return new PasswordSet(name, passwords.set(name, read(body).password(), auth.getName()));
    }

    @DeleteMapping("/api/v1/sync-targets/{name}/password")
    @ApiResponse(responseCode = "204", description = "the password is removed")
    ResponseEntity<Void> delete(@PathVariable String name, Authentication auth) {
        passwords.delete(name, auth.getName());
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/api/v1/metadata/sync-targets/{name}/password")
    Password lookup(@PathVariable String name) {
        return new Password(passwords.password(name).orElseThrow(() ->
                ApiException.notFound("sync target '" + name + "' has no password stored")));
    }

    private static PasswordBody read(byte[] body) {
        String subject = "the password was not set";
        if (body == null || body.length == 0) {
            throw new ConfigValidationException(subject, List.of(new FieldError("body", null,
                    "is required: {\"password\":\"...\"}")));
        }
        try {
            PasswordBody b = Json.strict().readValue(body, PasswordBody.class);
            if (b == null) {
                throw new ConfigValidationException(subject, List.of(new FieldError("body", null,
                        "must be a JSON object {\"password\":\"...\"}")));
            }
            return b;
        } catch (JacksonException e) {
            // Jackson's message may quote the text it could not read, which may be the password: say only where
            String field = io.topaz.control.web.JsonBodies.errorOf(e).field();
            throw new ConfigValidationException(subject, List.of(new FieldError(field, null,
                    "could not be read: the body must be a JSON object {\"password\":\"...\"} with a string")));
        }
    }
}

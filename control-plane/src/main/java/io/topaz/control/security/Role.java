package io.topaz.control.security;

import java.util.List;

/** Operator roles, each including the ones below it. */
public enum Role {
    /** Reads everything. */
    VIEWER,
    /** Also edits drafts and publishes or rolls back releases. */
    OPERATOR,
    /** Also manages tokens and apps, and issues seller sessions. */
    ADMIN,
    /**
     * An agent's credential: reads metadata with secrets (the batch lookup and the key filters) and nothing else. Not
     * an operator role: it includes none of the others, and they do not include it.
     */
    AGENT,
    /**
     * A platform service's credential for publishing messages on agents' broker ports ({@code POST
     * /internal/v1/publish}). It includes no other role and may call nothing on the control plane but
     * {@code GET /api/v1/me}, which agents use to check it.
     */
    PUBLISHER;

    /** Spring Security authorities for this role and every role it includes. */
    public List<String> authorities() {
        return switch (this) {
            case VIEWER -> List.of("ROLE_VIEWER");
            case OPERATOR -> List.of("ROLE_OPERATOR", "ROLE_VIEWER");
            case ADMIN -> List.of("ROLE_ADMIN", "ROLE_OPERATOR", "ROLE_VIEWER");
            case AGENT -> List.of("ROLE_AGENT");
            case PUBLISHER -> List.of("ROLE_PUBLISHER");
        };
    }
}

package io.topaz.control.security;

import java.util.List;

/** Operator roles, each including the ones below it. */
public enum Role {
    /** Reads everything. */
    VIEWER,
    /** Also edits drafts and publishes or rolls back releases. */
    OPERATOR,
    /** Also manages tokens and apps. */
    ADMIN;

    /** Spring Security authorities for this role and every role it includes. */
    public List<String> authorities() {
        return switch (this) {
            case VIEWER -> List.of("ROLE_VIEWER");
            case OPERATOR -> List.of("ROLE_OPERATOR", "ROLE_VIEWER");
            case ADMIN -> List.of("ROLE_ADMIN", "ROLE_OPERATOR", "ROLE_VIEWER");
        };
    }
}

package io.topaz.console.controlplane;

/**
 * A token's role, as the control plane names it. The operator roles each include the ones below them; AGENT (agents)
 * and PUBLISHER (platform services publishing messages) are not operator roles: they include none of the others, and
 * the console does not sign in with them.
 */
public enum Role {
    VIEWER,
    OPERATOR,
    ADMIN,
    AGENT,
    PUBLISHER;

    public boolean includes(Role other) {
        if (!isOperatorRole() || !other.isOperatorRole()) {
            return this == other;
        }
        return compareTo(other) >= 0;
    }

    /** VIEWER, OPERATOR or ADMIN: a role the console is for. */
    public boolean isOperatorRole() {
        return this == VIEWER || this == OPERATOR || this == ADMIN;
    }
}

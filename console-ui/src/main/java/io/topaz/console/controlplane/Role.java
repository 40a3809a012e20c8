package io.topaz.console.controlplane;

/** An operator token's role, as the control plane names it; each role includes the ones below it. */
public enum Role {
    VIEWER,
    OPERATOR,
    ADMIN;

    public boolean includes(Role other) {
        return compareTo(other) >= 0;
    }
}

package io.topaz.console.common;

import io.topaz.console.controlplane.ControlPlaneClient;
import io.topaz.console.controlplane.Operator;
import io.topaz.console.controlplane.Role;

/**
 * A signed-in operator: the client bound to their token and what their role allows. The console hides what the role
 * may not do; the control plane still decides, and a 403 is shown as a message.
 */
public record Session(ControlPlaneClient client, Operator operator) {

    /** Apps (and tokens) are for admins; every other kind of config is for operators. */
    public boolean mayEdit(String kind) {
        Role needed = "apps".equals(kind) ? Role.ADMIN : Role.OPERATOR;
        return operator.role().includes(needed);
    }

    /** Publishing and rolling back are for operators. */
    public boolean mayPublish() {
        return operator.role().includes(Role.OPERATOR);
    }

    /** Closing an app's push connection is for admins. */
    public boolean mayDisconnect() {
        return operator.role().includes(Role.ADMIN);
    }

    /** For the title bar: {@code alice (OPERATOR) at http://127.0.0.1:9080}. */
    public String describe() {
        return operator.name() + " (" + operator.role() + ") at " + client.base();
    }
}

package io.topaz.control.fleet;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code topaz.admin.*}: how the control plane calls agents' admin ports (the traffic poll's {@code GET /metrics}, an
 * operator's reconcile forwarded as {@code POST /sync/reconcile} with the control plane's AGENT token).
 *
 * @param https the agents' admin ports serve TLS ({@code --admin-tls-cert}): call them over https, trusting what the
 *              JVM trusts ({@code -Djavax.net.ssl.trustStore=…} for a private CA or a self-signed certificate) and
 *              checking the host name each agent registered
 */
@ConfigurationProperties("topaz.admin")
public record AdminPortProperties(@DefaultValue("false") boolean https) {

    /** {@code http} or {@code https}. */
    public String scheme() {
        return https ? "https" : "http";
    }
}

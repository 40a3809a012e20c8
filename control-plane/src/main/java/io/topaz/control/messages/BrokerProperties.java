package io.topaz.control.messages;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * {@code topaz.broker.*}: how the control plane calls agents' broker ports. ({@code topaz.broker.agent-token}, the
 * AGENT token it presents, is read by {@link io.topaz.control.security.InternalAgentToken}.)
 *
 * @param requestTimeout how long one agent may take to answer before it is reported unreachable for that request
 * @param https          the agents' broker ports serve TLS ({@code --broker-tls-cert}): call them over https, trusting
 *                       what the JVM trusts ({@code -Djavax.net.ssl.trustStore=…} for a private CA or a self-signed
 *                       certificate) and checking the host name each agent registered
 */
@Validated
@ConfigurationProperties("topaz.broker")
public record BrokerProperties(@DefaultValue("5s") @NotNull Duration requestTimeout,
                               @DefaultValue("false") boolean https) {

    public BrokerProperties {
        if (requestTimeout != null && (requestTimeout.isNegative() || requestTimeout.isZero())) {
            throw new IllegalArgumentException("topaz.broker.request-timeout must be > 0, was " + requestTimeout);
        }
    }
}

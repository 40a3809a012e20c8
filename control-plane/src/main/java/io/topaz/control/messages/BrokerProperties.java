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
 */
@Validated
@ConfigurationProperties("topaz.broker")
public record BrokerProperties(@DefaultValue("5s") @NotNull Duration requestTimeout) {

    public BrokerProperties {
        if (requestTimeout != null && (requestTimeout.isNegative() || requestTimeout.isZero())) {
            throw new IllegalArgumentException("topaz.broker.request-timeout must be > 0, was " + requestTimeout);
        }
    }
}

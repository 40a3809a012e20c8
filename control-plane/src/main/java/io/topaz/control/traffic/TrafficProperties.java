package io.topaz.control.traffic;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * {@code topaz.traffic.*}: how the control plane gathers the agents' traffic-control counters.
 *
 * @param pollInterval  how often every live agent's {@code /metrics} is scraped; the rates are per second over it
 * @param scrapeTimeout how long one agent may take to answer before it counts as not reporting for that poll
 * @param historyPoints how many polls each rule's history keeps for the console's chart (120 × 5 s = 10 minutes)
 */
@Validated
@ConfigurationProperties("topaz.traffic")
public record TrafficProperties(
        @DefaultValue("5s") @NotNull Duration pollInterval,
        @DefaultValue("2s") @NotNull Duration scrapeTimeout,
        @DefaultValue("120") @Min(2) @Max(10_000) int historyPoints) {

    public TrafficProperties {
        if (pollInterval != null && (pollInterval.isNegative() || pollInterval.isZero())) {
            throw new IllegalArgumentException("topaz.traffic.poll-interval must be > 0, was " + pollInterval);
        }
        if (scrapeTimeout != null && (scrapeTimeout.isNegative() || scrapeTimeout.isZero())) {
            throw new IllegalArgumentException("topaz.traffic.scrape-timeout must be > 0, was " + scrapeTimeout);
        }
    }
}

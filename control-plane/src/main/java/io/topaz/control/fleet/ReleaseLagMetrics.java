package io.topaz.control.fleet;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.topaz.control.release.ReleaseService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * {@code topaz_release_live}: the number of the live release, read from ZooKeeper at each scrape (NaN when ZooKeeper
 * cannot be read). With each agent's own {@code topaz_config_applied_release} it gives the release lag per agent in
 * Prometheus ({@code scalar(max(topaz_release_live)) - topaz_config_applied_release}), which the agents alone cannot:
 * when every agent lags, none of them knows.
 */
@Component
class ReleaseLagMetrics {

    private static final Logger log = LoggerFactory.getLogger(ReleaseLagMetrics.class);

    ReleaseLagMetrics(ReleaseService releases, MeterRegistry registry) {
        Gauge.builder("topaz.release.live", releases, ReleaseLagMetrics::liveNumber)
                .description("the number of the live release (0 before the first publish)")
                .strongReference(true)
                .register(registry);
    }

    private static double liveNumber(ReleaseService releases) {
        try {
            return releases.liveNumber();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.debug("cannot read the live release for topaz_release_live: {}", e.toString());
            return Double.NaN;
        }
    }
}

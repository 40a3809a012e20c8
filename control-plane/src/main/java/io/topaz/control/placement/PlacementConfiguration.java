package io.topaz.control.placement;

import io.micrometer.core.instrument.MeterRegistry;
import io.topaz.control.audit.AuditOutbox;
import io.topaz.control.ha.Leadership;
import io.topaz.control.release.ReleaseService;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.springframework.context.ApplicationListener;
import org.springframework.context.PayloadApplicationEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;

/**
 * Seller-group placement: the caches every control plane keeps, and the driver that places groups while this control
 * plane leads (a pass at once when it takes over).
 */
@Configuration(proxyBeanMethods = false)
class PlacementConfiguration {

    @Bean
    PlacementMetrics placementMetrics(MeterRegistry registry) {
        return new PlacementMetrics(registry);
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    PlacementCaches placementCaches(CuratorFramework curator, ZkLayout layout) {
        return new PlacementCaches(curator, layout);
    }

    @Bean
    PlacementWriter placementWriter(CuratorFramework curator, ZkLayout layout, AuditOutbox outbox,
                                    PlacementMetrics metrics) {
        return new PlacementWriter(curator, layout, outbox, metrics);
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    PlacementDriver placementDriver(PlacementCaches caches, PlacementWriter writer, ReleaseService releases,
                                    PlacementProperties settings, Clock clock, PlacementMetrics metrics,
                                    Leadership leadership) {
        return new PlacementDriver(caches, writer, releases::liveContent, settings, clock, metrics,
                leadership::isLeader);
    }

    @Bean
    PlacementService placementService(ReleaseService releases, PlacementCaches caches, PlacementWriter writer,
                                      Leadership leadership, Clock clock) {
        return new PlacementService(releases, caches, writer, leadership, clock);
    }

    @Bean
    ApplicationListener<PayloadApplicationEvent<Leadership.LeadershipChanged>> placementOnLeadership(
            PlacementDriver driver) {
        return event -> driver.passSoon();
    }
}

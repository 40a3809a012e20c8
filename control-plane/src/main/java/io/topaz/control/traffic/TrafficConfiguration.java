package io.topaz.control.traffic;

import io.micrometer.core.instrument.MeterRegistry;
import io.topaz.control.fleet.AdminPortProperties;
import io.topaz.control.fleet.FleetView;
import io.topaz.control.ha.Leadership;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;

/**
 * The traffic poller, started with the application and closed before the ZooKeeper client it reads through; it polls
 * only while this control plane leads.
 */
@Configuration(proxyBeanMethods = false)
class TrafficConfiguration {

    @Bean(initMethod = "start", destroyMethod = "close")
    TrafficPoller trafficPoller(FleetView fleet, TrafficProperties settings, AdminPortProperties admin, Clock clock,
                                MeterRegistry registry, Leadership leadership) {
        return new TrafficPoller(fleet, settings, admin, clock, registry, leadership::isLeader);
    }
}

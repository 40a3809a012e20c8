package io.topaz.control.ha;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/health} component {@code leadership}: this instance, whether it leads and which instance does.
 * Always up: following is as healthy as leading; "no leader" shows as {@code leaderInstance: null}.
 */
@Component("leadership")
class LeadershipHealthIndicator implements HealthIndicator {

    private final Leadership leadership;

    LeadershipHealthIndicator(Leadership leadership) {
        this.leadership = leadership;
    }

    @Override
    public Health health() {
        Leadership.Instance self = leadership.self();
        var leader = leadership.leader();
        return Health.up()
                .withDetail("instance", self == null ? "starting" : self.id())
                .withDetail("leader", leadership.isLeader())
                .withDetail("leaderInstance", leader.map(Leadership.Instance::id).orElse("none"))
                .build();
    }
}

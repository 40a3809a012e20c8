package io.topaz.control.zk;

import org.apache.curator.framework.CuratorFramework;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/** Reports whether the control plane is connected to ZooKeeper, its source of truth. */
@Component("zookeeper")
class ZooKeeperHealthIndicator implements HealthIndicator {

    private final CuratorFramework curator;

    ZooKeeperHealthIndicator(CuratorFramework curator) {
        this.curator = curator;
    }

    @Override
    public Health health() {
        boolean connected = curator.getZookeeperClient().isConnected();
        Health.Builder b = connected ? Health.up() : Health.down();
        return b.withDetail("connectString", curator.getZookeeperClient().getCurrentConnectionString()).build();
    }
}

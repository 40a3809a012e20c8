package io.topaz.control.zk;

import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.concurrent.TimeUnit;

/** The Curator client, connected to the configured ensemble or to the embedded server. */
@Configuration(proxyBeanMethods = false)
class ZooKeeperConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ZooKeeperConfiguration.class);

    @Bean(destroyMethod = "close")
    EmbeddedZooKeeper embeddedZooKeeper(ZooKeeperProperties props) throws Exception {
        EmbeddedZooKeeper zk = new EmbeddedZooKeeper(props.embeddedDataDir(), props.embeddedPort());
        if (props.embedded()) {
            zk.start();
        }
        return zk;
    }

    @Bean(destroyMethod = "close")
    CuratorFramework curator(ZooKeeperProperties props, EmbeddedZooKeeper embedded) throws InterruptedException {
        String connect = props.embedded() ? embedded.connectString() : props.connectString();
        CuratorFramework client = CuratorFrameworkFactory.builder()
                .connectString(connect)
                .sessionTimeoutMs((int) props.sessionTimeout().toMillis())
                .connectionTimeoutMs((int) props.connectionTimeout().toMillis())
                .retryPolicy(new ExponentialBackoffRetry(200, 10, 5_000))
                .build();
        client.start();
        if (!client.blockUntilConnected((int) props.startupWait().toMillis(), TimeUnit.MILLISECONDS)) {
            log.warn("ZooKeeper at {} not reachable within {}; starting anyway, requests will fail until it is",
                    connect, props.startupWait());
        } else {
            log.info("connected to ZooKeeper at {}", connect);
        }
        return client;
    }

    @Bean
    ZkLayout zkLayout(ZooKeeperProperties props) {
        return new ZkLayout(props.root());
    }
}

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
import java.util.concurrent.atomic.AtomicBoolean;

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

    @Bean
    ZkIdentities zkIdentities(ZooKeeperProperties props) {
        ZkIdentities identities = ZkIdentities.from(props.auth());
        if (!identities.secured()) {
            log.warn("ZooKeeper access control is OFF: no topaz.zookeeper.auth identities are configured, so every node "
                    + "under {} is readable and writable by anyone who reaches ZooKeeper. Fine for tests and a "
                    + "loopback quickstart; production must set topaz.zookeeper.auth.control-plane-file and "
                    + "agent-file (see docs/operations.md)", props.root());
        } else {
            log.info("ZooKeeper access control on: control plane as '{}', agents as '{}'",
                    identities.controlPlane().user(), identities.agentDigest().substring(0, identities.agentDigest().indexOf(':')));
        }
        return identities;
    }

    @Bean
    ZkAclPolicy zkAclPolicy(ZkLayout layout, ZkIdentities identities) {
        return new ZkAclPolicy(layout, identities);
    }

    @Bean(destroyMethod = "close")
    CuratorFramework curator(ZooKeeperProperties props, EmbeddedZooKeeper embedded, ZkLayout layout,
                             ZkIdentities identities, ZkAclPolicy policy) throws Exception {
        String connect = props.embedded() ? embedded.connectString() : props.connectString();
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
                .connectString(connect)
                .sessionTimeoutMs((int) props.sessionTimeout().toMillis())
                .connectionTimeoutMs((int) props.connectionTimeout().toMillis())
                .retryPolicy(new ExponentialBackoffRetry(200, 10, 5_000))
                .aclProvider(policy);
        identities.credentials().ifPresent(c -> builder.authorization("digest", c.authBytes()));
        CuratorFramework client = builder.build();
        client.start();
        ZkTree tree = new ZkTree(client, layout, policy);
        if (!client.blockUntilConnected((int) props.startupWait().toMillis(), TimeUnit.MILLISECONDS)) {
            log.warn("ZooKeeper at {} not reachable within {}; starting anyway, requests will fail until it is",
                    connect, props.startupWait());
            prepareOnFirstConnect(client, tree);
        } else {
            log.info("connected to ZooKeeper at {}", connect);
            try {
                tree.prepare();
            } catch (Exception e) {
                client.close();
                throw e;
            }
        }
        return client;
    }

    /** Sets the tree up once the ensemble answers, when it did not at start. */
    private static void prepareOnFirstConnect(CuratorFramework client, ZkTree tree) {
        AtomicBoolean done = new AtomicBoolean();
        client.getConnectionStateListenable().addListener((c, state) -> {
            if (state.isConnected() && done.compareAndSet(false, true)) {
                Thread t = new Thread(() -> {
                    try {
                        tree.prepare();
                    } catch (Exception e) {
                        log.error("cannot set up the ZooKeeper tree and its ACLs: {}", e.getMessage(), e);
                    }
                }, "zookeeper-tree-setup");
                t.setDaemon(true);
                t.start();
            }
        });
    }

    @Bean
    ZkLayout zkLayout(ZooKeeperProperties props) {
        return new ZkLayout(props.root());
    }
}

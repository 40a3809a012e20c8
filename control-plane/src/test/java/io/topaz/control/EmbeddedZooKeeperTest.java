package io.topaz.control;

import io.topaz.control.zk.EmbeddedZooKeeper;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The embedded default keeps its data on disk, so a restarted control plane still has its config. */
class EmbeddedZooKeeperTest {

    @Test
    void dataSurvivesARestart(@TempDir Path dir) throws Exception {
        int port = freePort();
        try (EmbeddedZooKeeper zk = new EmbeddedZooKeeper(dir, port)) {
            String connect = zk.start();
            try (CuratorFramework c = client(connect)) {
                c.create().creatingParentsIfNeeded().forPath("/topaz/kept", "yes".getBytes(StandardCharsets.UTF_8));
            }
        }
        try (EmbeddedZooKeeper zk = new EmbeddedZooKeeper(dir, port)) {
            String connect = zk.start();
            try (CuratorFramework c = client(connect)) {
                assertThat(new String(c.getData().forPath("/topaz/kept"), StandardCharsets.UTF_8)).isEqualTo("yes");
            }
        }
    }

    private static CuratorFramework client(String connect) throws InterruptedException {
        CuratorFramework c = CuratorFrameworkFactory.newClient(connect, 10_000, 5_000, new RetryOneTime(100));
        c.start();
        assertThat(c.blockUntilConnected(10, TimeUnit.SECONDS)).isTrue();
        return c;
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

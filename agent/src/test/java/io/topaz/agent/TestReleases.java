package io.topaz.agent;

import io.topaz.model.config.ApiDefinition;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.UpstreamEndpoint;
import io.topaz.model.json.Json;
import io.topaz.model.release.EncodedRelease;
import io.topaz.model.release.ReleaseCodec;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;

import java.util.List;
import java.util.concurrent.TimeUnit;

/** Writes releases into ZooKeeper the way the control plane does: blobs first, then the live manifest. */
final class TestReleases implements AutoCloseable {

    final CuratorFramework curator;
    final ZkLayout layout;

    TestReleases(String connect, ZkLayout layout) throws InterruptedException {
        this.curator = CuratorFrameworkFactory.newClient(connect, 10_000, 3_000, new RetryOneTime(200));
        this.curator.start();
        if (!curator.blockUntilConnected(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("test ZooKeeper not reachable at " + connect);
        }
        this.layout = layout;
    }

    /** A release with {@code apis} APIs named taobao.test.api{i}, upstream port = release number. */
    static ConfigSnapshot snapshot(long release, int apis) {
        ConfigSnapshot.Builder b = ConfigSnapshot.builder(release);
        for (int i = 0; i < apis; i++) {
            b.put(ConfigKind.APIS, new ApiDefinition("taobao.test.api" + i, "g",
                    List.of(new UpstreamEndpoint("http://127.0.0.1:" + (1000 + release), 100)), 1000, false, List.of()));
        }
        return b.build();
    }

    EncodedRelease publish(ConfigSnapshot snapshot) throws Exception {
        EncodedRelease r = ReleaseCodec.encode(snapshot, "test", "test", System.currentTimeMillis(), null);
        for (var blob : r.blobs().entrySet()) {
            if (curator.checkExists().forPath(layout.blob(blob.getKey())) == null) {
                curator.create().creatingParentsIfNeeded().forPath(layout.blob(blob.getKey()), blob.getValue());
            }
        }
        publishManifest(r);
        return r;
    }

    void publishManifest(EncodedRelease r) throws Exception {
        byte[] manifest = Json.write(r.manifest());
        if (curator.checkExists().forPath(layout.live()) == null) {
            curator.create().creatingParentsIfNeeded().forPath(layout.live(), manifest);
        } else {
            curator.setData().forPath(layout.live(), manifest);
        }
    }

    @Override
    public void close() {
        curator.close();
    }
}

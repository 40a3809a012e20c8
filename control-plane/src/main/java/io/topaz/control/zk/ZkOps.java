package io.topaz.control.zk;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.zookeeper.KeeperException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Reads many nodes at once. Issuing every read in the background and then waiting pipelines the requests over the one
 * connection instead of paying a round trip per node, which matters when a draft holds tens of thousands of entries.
 */
public final class ZkOps {

    /** A node read: its path, data and version; {@code data == null} when it vanished between listing and reading. */
    public record Node(String path, byte[] data, int version) {
    }

    private ZkOps() {
    }

    public static List<Node> readAll(CuratorFramework curator, List<String> paths) throws Exception {
        Node[] results = new Node[paths.size()];
        Exception[] failure = new Exception[1];
        CountDownLatch done = new CountDownLatch(paths.size());
        for (int i = 0; i < paths.size(); i++) {
            final int index = i;
            curator.getData().inBackground((client, event) -> {
                record(event, index, paths.get(index), results, failure);
                done.countDown();
            }).forPath(paths.get(i));
        }
        if (!done.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("timed out reading " + paths.size() + " nodes from ZooKeeper");
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        List<Node> out = new ArrayList<>(paths.size());
        for (Node n : results) {
            if (n.data() != null) {
                out.add(n);
            }
        }
        return out;
    }

    private static synchronized void record(CuratorEvent event, int index, String path, Node[] results, Exception[] failure) {
        KeeperException.Code code = KeeperException.Code.get(event.getResultCode());
        if (code == KeeperException.Code.OK) {
            results[index] = new Node(path, event.getData(), event.getStat().getVersion());
        } else if (code == KeeperException.Code.NONODE) {
            results[index] = new Node(path, null, -1);
        } else {
            results[index] = new Node(path, null, -1);
            failure[0] = KeeperException.create(code, path);
        }
    }
}

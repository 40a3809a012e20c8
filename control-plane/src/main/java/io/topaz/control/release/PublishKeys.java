package io.topaz.control.release;

import io.topaz.control.zk.ZkOps;
import io.topaz.model.json.Json;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.springframework.stereotype.Repository;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The {@code Idempotency-Key}s of recent publishes and rollbacks, in ZooKeeper so every control plane sees them. A key
 * is written in the release's own transaction, so it exists exactly when its release does: a client that timed out
 * sends the same request with the same key and gets the release it made instead of a second one. Keys are kept for
 * {@link #TTL}, then pruned on a later publish.
 */
@Repository
public class PublishKeys {

    /** How long a key answers a repeat. */
    public static final Duration TTL = Duration.ofHours(24);
    /** Longest accepted key (a UUID is 36 characters). */
    public static final int MAX_LENGTH = 128;

    /** What a key was used for: the request ({@code publish draftRevision=12}) and the release it made. */
    public record Used(String request, long release, String actor, long atMillis) {
    }

    private final CuratorFramework curator;
    private final ZkLayout layout;
    private final Clock clock;
    private volatile boolean parentExists;

    public PublishKeys(CuratorFramework curator, ZkLayout layout, Clock clock) {
        this.curator = curator;
        this.layout = layout;
        this.clock = clock;
    }

    public Optional<Used> find(String key) throws Exception {
        try {
            return Optional.of(Json.lenient().readValue(curator.getData().forPath(layout.publishKey(key)), Used.class));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        }
    }

    /** The operation recording {@code key}; it fails the transaction if the key exists. */
    public CuratorOp op(String key, String request, long release, String actor) throws Exception {
        ensureParent();
        return curator.transactionOp().create().forPath(layout.publishKey(key),
                Json.write(new Used(request, release, actor, clock.millis())));
    }

    /** Deletes keys older than {@link #TTL}. */
    public void prune() throws Exception {
        List<String> children;
        try {
            children = curator.getChildren().forPath(layout.publishKeys());
        } catch (KeeperException.NoNodeException e) {
            return;
        }
        long cutoff = clock.millis() - TTL.toMillis();
        List<String> paths = children.stream().map(c -> layout.publishKeys() + "/" + c).toList();
        for (ZkOps.Node node : ZkOps.readAll(curator, paths)) {
            if (Json.lenient().readValue(node.data(), Used.class).atMillis() < cutoff) {
                try {
                    curator.delete().forPath(node.path());
                } catch (KeeperException.NoNodeException ignored) {
                    // pruned by another control plane
                }
            }
        }
    }

    private void ensureParent() throws Exception {
        if (!parentExists) {
            try {
                curator.create().creatingParentsIfNeeded().forPath(layout.publishKeys());
            } catch (KeeperException.NodeExistsException ignored) {
                // created earlier or by another control plane
            }
            parentExists = true;
        }
    }
}

package io.topaz.control.release;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.json.Json;
import io.topaz.model.release.EncodedRelease;
import io.topaz.model.release.ReleaseCodec;
import io.topaz.model.release.ReleaseManifest;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.springframework.stereotype.Repository;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Releases in ZooKeeper: immutable manifests under {@code releases/}, their content-addressed blobs under
 * {@code blobs/}, and the live pointer agents watch. The counter of release numbers is the data of the
 * {@code releases} node, bumped in the same transaction that writes the release and moves the live pointer, so a
 * release is either wholly published or not at all.
 */
@Repository
public class ReleaseStore {

    /** How many operations of {@link #write}'s transaction are the release's own, before the extra ones. */
    public static final int RELEASE_OPS = 3;

    private final CuratorFramework curator;
    private final ZkLayout layout;
    /** Blobs never change once written, so they can be cached without invalidation. */
    private final Cache<String, byte[]> blobs = Caffeine.newBuilder()
            .maximumWeight(64L * 1024 * 1024)
            .weigher((String k, byte[] v) -> v.length + 64)
            .build();
    private final Cache<Long, ConfigSnapshot> decoded = Caffeine.newBuilder().maximumSize(8).build();

    public ReleaseStore(CuratorFramework curator, ZkLayout layout) {
        this.curator = curator;
        this.layout = layout;
    }

    /** The live release's manifest, if anything has been published. */
    public Optional<ReleaseManifest> live() throws Exception {
        try {
            return Optional.of(Json.read(curator.getData().forPath(layout.live()), ReleaseManifest.class));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        }
    }

    public Optional<ReleaseManifest> manifest(long number) throws Exception {
        try {
            return Optional.of(Json.read(curator.getData().forPath(layout.release(number)), ReleaseManifest.class));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        }
    }

    /** Release numbers, newest first. */
    public List<Long> numbers() throws Exception {
        List<String> children;
        try {
            children = curator.getChildren().forPath(layout.releases());
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
        List<Long> numbers = new ArrayList<>(children.size());
        for (String c : children) {
            numbers.add(Long.parseLong(c));
        }
        numbers.sort((a, b) -> Long.compare(b, a));
        return numbers;
    }

    /** The content of a release. */
    public ConfigSnapshot content(ReleaseManifest manifest) {
        return decoded.get(manifest.number(), n -> ReleaseCodec.decode(manifest, this::blob));
    }

    /** The next free release number and the counter node's version, for {@link #write}. */
    public Counter nextNumber() throws Exception {
        Stat stat = new Stat();
        byte[] data;
        try {
            data = curator.getData().storingStatIn(stat).forPath(layout.releases());
        } catch (KeeperException.NoNodeException e) {
            try {
                curator.create().creatingParentContainersIfNeeded().forPath(layout.releases(), "0".getBytes(StandardCharsets.UTF_8));
            } catch (KeeperException.NodeExistsException ignored) {
                // another control plane created it
            }
            data = curator.getData().storingStatIn(stat).forPath(layout.releases());
        }
        long last = data == null || data.length == 0 ? 0 : Long.parseLong(new String(data, StandardCharsets.UTF_8).trim());
        return new Counter(last + 1, stat.getVersion());
    }

    /** The counter value to use and the node version it was read at. */
    public record Counter(long next, int version) {
    }

    /**
     * Writes the blobs the release lacks, then in one transaction: the release node, the counter, the live pointer and
     * {@code extra} (the draft check or reset, the audit record, the idempotency key), so all of them commit or none.
     * Fails with a {@link KeeperException} if another publisher won the number or an extra operation failed: the
     * release operations are the first three, {@code extra} follows in order (see {@link #RELEASE_OPS}).
     */
    public void write(EncodedRelease release, Counter counter, List<CuratorOp> extra) throws Exception {
        for (var e : release.blobs().entrySet()) {
            if (curator.checkExists().forPath(layout.blob(e.getKey())) == null) {
                try {
                    curator.create().creatingParentContainersIfNeeded().forPath(layout.blob(e.getKey()), e.getValue());
                } catch (KeeperException.NodeExistsException ignored) {
                    // content-addressed: whoever wrote it wrote the same bytes
                }
            }
            blobs.put(e.getKey(), e.getValue());
        }
        byte[] manifest = Json.write(release.manifest());
        long number = release.manifest().number();
        List<CuratorOp> ops = new ArrayList<>();
        ops.add(curator.transactionOp().create().forPath(layout.release(number), manifest));
        ops.add(curator.transactionOp().setData().withVersion(counter.version())
                .forPath(layout.releases(), Long.toString(number).getBytes(StandardCharsets.UTF_8)));
        if (curator.checkExists().forPath(layout.live()) == null) {
            ops.add(curator.transactionOp().create().forPath(layout.live(), manifest));
        } else {
            ops.add(curator.transactionOp().setData().forPath(layout.live(), manifest));
        }
        ops.addAll(extra);
        curator.transaction().forOperations(ops);
    }

    private byte[] blob(String hash) {
        return blobs.get(hash, h -> {
            try {
                return curator.getData().forPath(layout.blob(h));
            } catch (KeeperException.NoNodeException e) {
                return null;
            } catch (Exception e) {
                throw new IllegalStateException("cannot read blob " + h + " from ZooKeeper: " + e.getMessage(), e);
            }
        });
    }
}

package io.topaz.control.config;

import io.topaz.model.config.ConfigEntry;
import io.topaz.model.config.ConfigItem;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.json.Json;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JavaType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The draft as a watched in-memory view, for listing and searching a kind: one {@link CuratorCache} per kind over its
 * draft node, started at the kind's first listing and kept, so a page costs no read of the kind from ZooKeeper.
 *
 * <p>A listing is never older than the draft as ZooKeeper had it when the listing began (so an operator sees their
 * own write, and one made on another control plane, as soon as it returns): every draft write changes the draft
 * revision node in the same transaction as the entry, after the entry's own operation, so ZooKeeper notifies the
 * entry's change before the revision's, and this view, watching the revision node too, has applied the entry once it
 * has seen the revision's new modification zxid. A listing reads the revision node's stat (one small read) and waits
 * until the view has seen that zxid; should that not happen in {@link #CATCH_UP} (ZooKeeper unreachable, a cache not
 * started), it falls back to reading the kind from ZooKeeper.
 *
 * <p>Publishing, diffs and rollbacks read ZooKeeper directly ({@link DraftStore}): they need the exact node versions.
 */
@Component
public class DraftView implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(DraftView.class);
    static final Duration CATCH_UP = Duration.ofSeconds(5);

    private final CuratorFramework curator;
    private final ZkLayout layout;
    private final DraftStore store;
    private final Map<String, KindView<?>> kinds = new ConcurrentHashMap<>();
    private final Object seen = new Object();
    private volatile CuratorCache revisionCache;
    /** The draft revision node's modification zxid as this view last saw it (guarded by {@link #seen} for waits). */
    private long seenRevisionZxid = -1;

    public DraftView(CuratorFramework curator, ZkLayout layout, DraftStore store) {
        this.curator = curator;
        this.layout = layout;
        this.store = store;
    }

    /** The kind's entries, by key, as of at least the start of this call. */
    @SuppressWarnings("unchecked")
    public <T extends ConfigEntry> List<ConfigItem<T>> list(ConfigKind<T> kind) throws Exception {
        KindView<T> view = (KindView<T>) kinds.computeIfAbsent(kind.name(), n -> new KindView<>(kind));
        long deadline = System.nanoTime() + CATCH_UP.toNanos();
        if (startRevisionWatch(deadline) && view.awaitLoaded(deadline)) {
            Stat stat = curator.checkExists().forPath(layout.draftRevision());
            // no revision node: no draft write ever happened, so there is nothing to wait for
            if (awaitSeen(stat == null ? -1 : stat.getMzxid(), deadline)) {
                return view.items();
            }
        }
        log.warn("the draft view of {} has not caught up with ZooKeeper within {}; reading the kind directly",
                kind.name(), CATCH_UP);
        return store.list(kind);
    }

    private boolean startRevisionWatch(long deadline) throws InterruptedException {
        CuratorCache cache = revisionCache;
        if (cache == null) {
            synchronized (this) {
                if (revisionCache == null) {
                    CountDownLatch loaded = new CountDownLatch(1);
                    CuratorCache c = CuratorCache.build(curator, layout.draftRevision(),
                            CuratorCache.Options.SINGLE_NODE_CACHE);
                    c.listenable().addListener(CuratorCacheListener.builder()
                            .forCreatesAndChanges((before, after) -> sawRevision(after))
                            .forInitialized(loaded::countDown)
                            .build());
                    c.start();
                    if (!loaded.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                        c.close();
                        return false;
                    }
                    revisionCache = c;
                }
            }
        }
        return true;
    }

    private void sawRevision(ChildData data) {
        if (data != null && data.getStat() != null) {
            synchronized (seen) {
                seenRevisionZxid = Math.max(seenRevisionZxid, data.getStat().getMzxid());
                seen.notifyAll();
            }
        }
    }

    private boolean awaitSeen(long zxid, long deadline) throws InterruptedException {
        synchronized (seen) {
            while (seenRevisionZxid < zxid) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(seen, left);
            }
            return true;
        }
    }

    @Override
    public void destroy() {
        kinds.values().forEach(KindView::close);
        CuratorCache c = revisionCache;
        if (c != null) {
            c.close();
        }
    }

    /** One kind's entries, kept by a cache over its draft node (direct children only: one node per entry). */
    private final class KindView<T extends ConfigEntry> {
        private final ConfigKind<T> kind;
        private final String path;
        private final JavaType type;
        private final ConcurrentSkipListMap<String, ConfigItem<T>> byKey = new ConcurrentSkipListMap<>();
        /** Node path to entry key, so a deletion (whose event carries the old data) finds what to drop. */
        private final Map<String, String> keyOfPath = new ConcurrentHashMap<>();
        private final CountDownLatch loaded = new CountDownLatch(1);
        private final CuratorCache cache;

        KindView(ConfigKind<T> kind) {
            this.kind = kind;
            this.path = layout.draftKind(kind);
            this.type = Json.lenient().getTypeFactory().constructParametricType(ConfigItem.class, kind.type());
            this.cache = CuratorCache.build(curator, path);
            cache.listenable().addListener(CuratorCacheListener.builder()
                    .forCreatesAndChanges((before, after) -> put(after))
                    .forDeletes(this::remove)
                    .forInitialized(loaded::countDown)
                    .build());
            cache.start();
        }

        boolean awaitLoaded(long deadline) throws InterruptedException {
            return loaded.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }

        List<ConfigItem<T>> items() {
            return new ArrayList<>(byKey.values());
        }

        private boolean isEntry(String nodePath) {
            return nodePath.startsWith(path + "/") && nodePath.indexOf('/', path.length() + 1) < 0;
        }

        private void put(ChildData data) {
            if (data == null || !isEntry(data.getPath()) || data.getData() == null || data.getData().length == 0) {
                return;
            }
            decode(data).ifPresent(item -> {
                String old = keyOfPath.put(data.getPath(), item.key());
                if (old != null && !old.equals(item.key())) {
                    byKey.remove(old);
                }
                byKey.put(item.key(), item);
            });
        }

        private void remove(ChildData data) {
            if (data == null || !isEntry(data.getPath())) {
                return;
            }
            String key = keyOfPath.remove(data.getPath());
            if (key != null) {
                byKey.remove(key);
            }
        }

        private Optional<ConfigItem<T>> decode(ChildData data) {
            try {
                return Optional.of(Json.lenient().readValue(data.getData(), type));
            } catch (RuntimeException e) {
                log.warn("draft node {} of {} does not decode; left out of listings: {}", data.getPath(), kind.name(),
                        e.getMessage());
                return Optional.empty();
            }
        }

        void close() {
            cache.close();
        }
    }
}

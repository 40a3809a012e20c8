package io.topaz.bench.sync;

import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.retry.ExponentialBackoffRetry;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads the sync leases in ZooKeeper continuously ({@code {root}/broker/sync/groups/{target}/{group}/lease} and
 * {@code …/epoch}, a Curator cache of the subtree) and checks, at every change it sees, that no seller group's leases
 * are held by two agents at once (across its targets). It also keeps every lease incarnation it saw (holder and the
 * creation zxid of its ephemeral node) and every epoch value (with the zxid that wrote it), so that the holder of an
 * epoch can be told afterwards: the lease created last before the epoch was raised ({@link #holderAt}) — what the
 * fencing rows on the target must agree with.
 */
final class LeaseWatcher implements AutoCloseable {

    private record Incarnation(String holder, long czxid) {
    }

    private final CuratorFramework curator;
    private final CuratorCache cache;
    private final String base;
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final Map<String, TreeMap<Long, Incarnation>> leases = new HashMap<>(); // target/group → czxid → lease
    private final Map<String, TreeMap<Long, Long>> epochs = new HashMap<>(); // target/group → epoch → mzxid
    private final AtomicLong events = new AtomicLong();

    private LeaseWatcher(CuratorFramework curator, String base) {
        this.curator = curator;
        this.base = base;
        this.cache = CuratorCache.build(curator, base);
        cache.listenable().addListener(CuratorCacheListener.builder().forAll((type, before, after) -> {
            events.incrementAndGet();
            if (after != null) {
                record(after);
            }
            check();
        }).build());
    }

    /** Connects to {@code zkConnect} (anonymous: the bench cluster's ZooKeeper has no identities set) and starts. */
    static LeaseWatcher start(String zkConnect, ZkLayout layout) {
        CuratorFramework c = CuratorFrameworkFactory.builder().connectString(zkConnect).sessionTimeoutMs(30_000)
                .connectionTimeoutMs(10_000).retryPolicy(new ExponentialBackoffRetry(100, 10)).build();
        c.start();
        LeaseWatcher w = new LeaseWatcher(c, layout.broker() + "/sync/groups");
        w.cache.start();
        return w;
    }

    private synchronized void record(ChildData d) {
        String[] p = relative(d.getPath());
        if (p.length != 3 || d.getData() == null) {
            return;
        }
        String key = p[0] + "/" + p[1];
        String value = new String(d.getData(), StandardCharsets.UTF_8).trim();
        if (p[2].equals("lease")) {
            leases.computeIfAbsent(key, k -> new TreeMap<>())
                    .putIfAbsent(d.getStat().getCzxid(), new Incarnation(value, d.getStat().getCzxid()));
        } else if (p[2].equals("epoch") && value.matches("[0-9]+")) {
            epochs.computeIfAbsent(key, k -> new TreeMap<>()).putIfAbsent(Long.parseLong(value), d.getStat().getMzxid());
        }
    }

    /** {target, group, leaf} of a node three levels below the base; shorter arrays for other nodes. */
    private String[] relative(String path) {
        return path.length() <= base.length() + 1 ? new String[0] : path.substring(base.length() + 1).split("/");
    }

    private void check() {
        Map<String, Set<String>> held = holders();
        held.forEach((group, agents) -> {
            if (agents.size() > 1) {
                violations.add(Instant.now() + ": seller group " + group + " held by " + agents + " at once");
            }
        });
    }

    /** Per seller group, the agents holding one of its leases now (as the cache sees it). */
    Map<String, Set<String>> holders() {
        Map<String, Set<String>> out = new TreeMap<>();
        cache.stream().forEach(d -> {
            String[] p = relative(d.getPath());
            if (p.length == 3 && p[2].equals("lease") && d.getData() != null) {
                out.computeIfAbsent(p[1], g -> new TreeSet<>()).add(new String(d.getData(), StandardCharsets.UTF_8));
            }
        });
        return out;
    }

    /** The agent holding {@code group}'s leases now, or null (also null when two do: that is a violation). */
    String holder(String group) {
        Set<String> h = holders().get(group);
        return h == null || h.size() != 1 ? null : h.iterator().next();
    }

    /**
     * The agent that took (target, group) at {@code epoch}: the lease incarnation created last before the epoch
     * node was set to it; null when the watcher did not see that epoch (raised twice between two of its reads).
     */
    synchronized String holderAt(String target, String group, long epoch) {
        String key = ZkLayout.encodeKey(target) + "/" + ZkLayout.encodeKey(group);
        Long mzxid = epochs.getOrDefault(key, new TreeMap<>()).get(epoch);
        if (mzxid == null) {
            return null;
        }
        Map.Entry<Long, Incarnation> e = leases.getOrDefault(key, new TreeMap<>()).lowerEntry(mzxid);
        return e == null ? null : e.getValue().holder();
    }

    /** Every time two agents held one group's leases at once, as seen. */
    List<String> violations() {
        return new ArrayList<>(violations);
    }

    /** Changes seen so far (to tell a watcher that saw nothing from a clean run). */
    long events() {
        return events.get();
    }

    /** Lease incarnations seen over all groups. */
    synchronized int incarnations() {
        return leases.values().stream().mapToInt(Map::size).sum();
    }

    @Override
    public void close() {
        cache.close();
        curator.close();
    }
}

package io.topaz.control.placement;

import io.topaz.model.fleet.AgentInfo;
import io.topaz.model.json.Json;
import io.topaz.model.placement.SyncAgentLoad;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.CreateMode;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A syncing agent as the placer sees it: its own ZooKeeper session holding an ephemeral registration (AgentInfo) and
 * an ephemeral sync node whose data is its {@link SyncAgentLoad} — or, for an agent written before load reports, its
 * bare id. Closing it ends the session, so both nodes vanish as when an agent dies.
 */
final class FakeSyncAgent implements AutoCloseable {

    final String id;
    final String zone;
    private final CuratorFramework client;
    private final ZkLayout layout;
    private final String cluster;

    private FakeSyncAgent(String connect, ZkLayout layout, String cluster, String id, String zone, boolean legacy,
                          Map<String, Double> groups) throws Exception {
        this.id = id;
        this.zone = zone;
        this.layout = layout;
        this.cluster = cluster;
        this.client = CuratorFrameworkFactory.newClient(connect, 10_000, 5_000, new RetryOneTime(100));
        client.start();
        client.blockUntilConnected();
        AgentInfo info = new AgentInfo(id, zone, cluster, "127.0.0.1", Map.of(), "test", 1L, 0, 0);
        client.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                .forPath(layout.agent(id), Json.write(info));
        byte[] data = legacy ? id.getBytes(StandardCharsets.UTF_8) : Json.write(load(groups));
        client.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                .forPath(layout.syncAgent(cluster, id), data);
    }

    static FakeSyncAgent start(String connect, ZkLayout layout, String cluster, String id, String zone,
                               Map<String, Double> groups) throws Exception {
        return new FakeSyncAgent(connect, layout, cluster, id, zone, false, groups);
    }

    /** An agent from before load reports: its sync node holds its id; its zone comes from its registration. */
    static FakeSyncAgent legacy(String connect, ZkLayout layout, String cluster, String id, String zone) throws Exception {
        return new FakeSyncAgent(connect, layout, cluster, id, zone, true, Map.of());
    }

    private SyncAgentLoad load(Map<String, Double> groups) {
        Map<String, SyncAgentLoad.GroupLoad> loads = new java.util.HashMap<>();
        groups.forEach((g, cps) -> loads.put(g, new SyncAgentLoad.GroupLoad(cps, 250, 2, 7,
                List.of(new SyncAgentLoad.SellerLoad(4200000001L, "hot-shop", cps / 2)))));
        return new SyncAgentLoad(id, zone, cluster, 1L, loads);
    }

    /** Replaces its load report (the groups it holds). */
    void report(Map<String, Double> groups) throws Exception {
        client.setData().forPath(layout.syncAgent(cluster, id), Json.write(load(groups)));
    }

    @Override
    public void close() {
        client.close();
    }
}

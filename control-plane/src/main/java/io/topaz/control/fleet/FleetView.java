package io.topaz.control.fleet;

import io.topaz.control.zk.ZkOps;
import io.topaz.model.fleet.AgentInfo;
import io.topaz.model.json.Json;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The live agents, read from their ephemeral registration nodes. */
@Service
public class FleetView {

    private static final Logger log = LoggerFactory.getLogger(FleetView.class);

    private final CuratorFramework curator;
    private final ZkLayout layout;

    FleetView(CuratorFramework curator, ZkLayout layout) {
        this.curator = curator;
        this.layout = layout;
    }

    public List<AgentInfo> agents() throws Exception {
        List<String> children;
        try {
            children = curator.getChildren().forPath(layout.agents());
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
        List<String> paths = children.stream().map(c -> layout.agents() + "/" + c).toList();
        List<AgentInfo> agents = new ArrayList<>();
        for (ZkOps.Node node : ZkOps.readAll(curator, paths)) {
            try {
                agents.add(Json.read(node.data(), AgentInfo.class));
            } catch (RuntimeException e) {
                log.warn("agent node {} holds unreadable data; skipped: {}", node.path(), e.getMessage());
            }
        }
        agents.sort(Comparator.comparing(AgentInfo::cluster, Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparing(AgentInfo::id));
        return agents;
    }
}

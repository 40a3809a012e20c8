package io.topaz.control.metadata;

import io.topaz.model.config.MetadataKind;
import io.topaz.model.json.Json;
import io.topaz.model.metadata.MetadataEvent;
import io.topaz.model.zk.ZkLayout;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Publishes metadata events as ZooKeeper sequential nodes under {@link ZkLayout#metadataEvents()}, where every agent
 * watches them, and prunes old ones. An event is written after the database change it reports has committed, so an
 * agent that reloads on the event reads the new state.
 */
@Component
public class MetadataEvents {

    private static final Logger log = LoggerFactory.getLogger(MetadataEvents.class);

    private final CuratorFramework curator;
    private final ZkLayout layout;
    private final Clock clock;
    private final MetadataProperties props;

    private final Counter failures;

    MetadataEvents(CuratorFramework curator, ZkLayout layout, Clock clock, MetadataProperties props,
                   MeterRegistry registry) {
        this.failures = Counter.builder("topaz.metadata.events.failed")
                .description("metadata events that could not be written to ZooKeeper").register(registry);
        this.curator = curator;
        this.layout = layout;
        this.clock = clock;
        this.props = props;
    }

    public void created(MetadataKind kind, String key, long version) {
        publish(new MetadataEvent(0, MetadataEvent.Type.CREATED, kind, key, version, clock.millis()));
    }

    public void changed(MetadataKind kind, String key, long version) {
        publish(new MetadataEvent(0, MetadataEvent.Type.CHANGED, kind, key, version, clock.millis()));
    }

    private void publish(MetadataEvent event) {
        try {
            curator.create().creatingParentContainersIfNeeded().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                    .forPath(layout.metadataEventPrefix(), Json.write(event));
        } catch (Exception e) {
            // The change is committed (and, for a new app, its secret must still reach the caller), so the request
            // does not fail: agents learn of it at their entry's next refresh. Say so loudly and count it.
            failures.increment();
            log.error("metadata event {} {} {} not published (Curator retries exhausted); agents learn of it only at "
                    + "their next refresh: {}", event.type(), event.kind(), event.key(), e.toString());
        }
    }

    /**
     * Deletes events older than the retention, keeping the newest {@code eventsKept} in any case. Run by the leading
     * control plane only, every {@code topaz.metadata.prune-interval} ({@code io.topaz.control.ha.SingletonTasks}).
     */
    public void prune() {
        try {
            List<String> children;
            try {
                children = new ArrayList<>(curator.getChildren().forPath(layout.metadataEvents()));
            } catch (KeeperException.NoNodeException e) {
                return;
            }
            children.sort(null); // fixed-width sequence numbers sort in order
            long cutoff = clock.millis() - props.eventRetention().toMillis();
            int deleted = 0;
            for (int i = 0; i < children.size() - props.eventsKept(); i++) {
                String path = layout.metadataEvents() + "/" + children.get(i);
                try {
                    MetadataEvent e = Json.read(curator.getData().forPath(path), MetadataEvent.class);
                    if (e.atMillis() >= cutoff) {
                        break; // the rest are newer
                    }
                    curator.delete().forPath(path);
                    deleted++;
                } catch (KeeperException.NoNodeException gone) {
                    // another control plane pruned it
                }
            }
            if (deleted > 0) {
                log.debug("pruned {} metadata events", deleted);
            }
        } catch (Exception e) {
            log.warn("pruning metadata events failed, will retry: {}", e.toString());
        }
    }

    /** The sequence number of an event node's name ({@code e-0000000042} → 42). */
    public static long sequenceOf(String nodeName) {
        return Long.parseLong(nodeName.substring(nodeName.lastIndexOf('-') + 1));
    }
}

package io.topaz.agent.sync.engine;

import io.topaz.agent.broker.Broker;
import io.topaz.agent.broker.LocalQueues;
import io.topaz.agent.broker.QueueName;
import io.topaz.agent.broker.QueueStats;
import io.topaz.agent.broker.cluster.ClusterBroker;
import io.topaz.model.placement.SyncAgentLoad;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The engine's load reports: every {@code every} (by the engine's clock, on its control loop) the load of each group
 * running here — its metrics' rates and lag, its pool's connections, and its backlog — built and handed to the
 * {@link LoadReporter}, which publishes it. A group's backlog is its sync queue's unconfirmed messages where this
 * agent's broker owns the queue, otherwise what the group consumed and has not confirmed yet.
 */
final class GroupLoads {

    private static final Logger log = LoggerFactory.getLogger(GroupLoads.class);

    private final Broker broker;
    private final TargetPools targets;
    private final LoadReporter reporter;
    private volatile Duration every = SyncEngine.REPORT_EVERY;
    private long next;

    GroupLoads(Broker broker, TargetPools targets, LoadReporter reporter) {
        this.broker = broker;
        this.targets = targets;
        this.reporter = reporter;
    }

    /** How often the load report is refreshed (default {@link SyncEngine#REPORT_EVERY}). */
    void every(Duration every) {
        this.every = every;
    }

    /** Builds and publishes this agent's load report when it is due. */
    void reportIfDue(long now, Map<String, SyncEngine.Running> running) {
        if (now >= next) {
            report(now, running);
            next = now + every.toMillis();
        }
    }

    private void report(long now, Map<String, SyncEngine.Running> running) {
        Map<QueueName, Long> local = localBacklogs();
        Map<String, List<SyncAgentLoad.GroupLoad>> perGroup = new LinkedHashMap<>();
        running.forEach((key, r) -> {
            String target = r.config().name();
            String group = r.lease().fence.group();
            TargetPools.Open open = targets.get(target, group);
            Long queued = local.get(SyncQueues.queue(target, group));
            long backlog = queued != null ? queued : r.sync().waitingMessages();
            perGroup.computeIfAbsent(group, g -> new ArrayList<>()).add(r.metrics().load(
                    open == null ? 0 : open.connections(), backlog, LoadReporter.HOT));
        });
        reporter.report(now, perGroup);
    }

    /**
     * The unconfirmed messages (in flight included) of the sync queues this agent's broker owns; a queue owned by
     * another agent is reported by what its holder has consumed and not yet confirmed.
     */
    private Map<QueueName, Long> localBacklogs() {
        LocalQueues local = broker instanceof ClusterBroker cb ? cb.local()
                : broker instanceof SyncEngine.LocalView v ? v.local() : null;
        Map<QueueName, Long> out = new HashMap<>();
        if (local == null) {
            return out;
        }
        try {
            for (QueueStats s : local.stats()) {
                if (s.queue().appKey().startsWith(SyncQueues.APP_PREFIX)) {
                    out.put(s.queue(), s.backlog());
                }
            }
        } catch (RuntimeException e) {
            log.debug("reading the local queues' backlog failed", e);
        }
        return out;
    }
}

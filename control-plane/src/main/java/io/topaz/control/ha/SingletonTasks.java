package io.topaz.control.ha;

import io.topaz.control.audit.AuditOutbox;
import io.topaz.control.metadata.MetadataEvents;
import io.topaz.control.traffic.TrafficPoller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The periodic work only the leader does ({@link Leadership}). Every control plane schedules it; each run checks
 * leadership first, so a follower skips it and a new leader does it from its next tick on:
 *
 * <ul>
 *   <li>pruning old metadata events ({@link MetadataEvents#prune()}): two pruners would race over the same nodes;</li>
 *   <li>the audit outbox's periodic replay ({@link AuditOutbox#replay()}): each instance still replays right after its
 *       own writes and at start; the sweep moves what a crashed instance left, and the new leader runs it at once on
 *       taking over, so a publish its predecessor committed gets its audit row without waiting for the next tick;</li>
 *   <li>traffic polling: {@link TrafficPoller} is gated on {@link Leadership#isLeader()} itself; on taking over it polls
 *       at once.</li>
 * </ul>
 *
 * Not singletons, on purpose: the key filters ({@code KeyFilters}, {@code KeyFilterFollower}) are per-instance caches
 * every instance keeps current from the event stream, and the token cache is per instance (dropped on every instance at
 * each revocation by {@code TokenRevocations}).
 */
@Component
class SingletonTasks {

    private static final Logger log = LoggerFactory.getLogger(SingletonTasks.class);

    private final Leadership leadership;
    private final MetadataEvents metadataEvents;
    private final AuditOutbox outbox;
    private final TrafficPoller traffic;

    SingletonTasks(Leadership leadership, MetadataEvents metadataEvents, AuditOutbox outbox, TrafficPoller traffic) {
        this.leadership = leadership;
        this.metadataEvents = metadataEvents;
        this.outbox = outbox;
        this.traffic = traffic;
    }

    @Scheduled(fixedDelayString = "${topaz.metadata.prune-interval:60s}", initialDelayString = "${topaz.metadata.prune-interval:60s}")
    void pruneMetadataEvents() {
        if (leadership.isLeader()) {
            metadataEvents.prune();
        }
    }

    @Scheduled(fixedDelayString = "${topaz.audit.outbox-replay-interval:30s}",
            initialDelayString = "${topaz.audit.outbox-replay-interval:30s}")
    void replayAuditOutbox() {
        if (leadership.isLeader()) {
            outbox.replay();
        }
    }

    @EventListener
    void onLeadership(Leadership.LeadershipChanged change) {
        if (!change.leading()) {
            return;
        }
        int moved = outbox.replay();
        if (moved > 0) {
            log.info("taking over: moved {} audit records left in the outbox into the audit log", moved);
        }
        traffic.pollSoon();
    }
}

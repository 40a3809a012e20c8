package io.topaz.control.ha;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.leader.Participant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Which control plane runs the singletons. Every instance joins a Curator {@link LeaderLatch} under
 * {@link ZkLayout#leaderLatch()} (a control-plane-only path); the one holding it is the leader and runs what must
 * not run twice (traffic polling, metadata event pruning, the audit outbox's periodic replay — see
 * {@link SingletonTasks}); the others serve reads and writes. When the leader stops (its latch is closed) or its
 * ZooKeeper session ends, another instance's latch takes over.
 *
 * <p>The latch starts after the web server (last lifecycle phase), so an instance leads only once it serves, and closes
 * first at shutdown, handing leadership over before anything else stops. Changes are announced as
 * {@link LeadershipChanged} events on a thread of their own (never Curator's event thread).
 *
 * <p>Meter {@code topaz.control.plane.leader}: 1 on the leader, 0 elsewhere. The health group {@code leadership} shows
 * this instance, whether it leads and who does.
 */
@Component("controlPlaneLeadership")
public class Leadership implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Leadership.class);

    /** Leadership was gained ({@code leading} true) or lost. */
    public record LeadershipChanged(boolean leading) {
    }

    /** A participant: its instance id and the URL it serves at. */
    public record Instance(String id, String url) {
        static Instance parse(String latchId) {
            int space = latchId.indexOf(' ');
            return space < 0 ? new Instance(latchId, null) : new Instance(latchId.substring(0, space), latchId.substring(space + 1));
        }

        String latchId() {
            return id + " " + url;
        }
    }

    private final CuratorFramework curator;
    private final ZkLayout layout;
    private final HaProperties props;
    private final Environment env;
    private final ApplicationEventPublisher events;
    private final ExecutorService notifier = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "leadership-events");
        t.setDaemon(true);
        return t;
    });
    private volatile LeaderLatch latch;
    private volatile Instance self;
    private volatile boolean leading;

    Leadership(CuratorFramework curator, ZkLayout layout, HaProperties props, Environment env,
               ApplicationEventPublisher events, MeterRegistry registry) {
        this.curator = curator;
        this.layout = layout;
        this.props = props;
        this.env = env;
        this.events = events;
        Gauge.builder("topaz.control.plane.leader", this, l -> l.isLeader() ? 1 : 0)
                .description("1 on the control plane that leads (runs the singletons), 0 on the others")
                .register(registry);
    }

    @Override
    public void start() {
        self = new Instance(instanceId(), advertisedUrl());
        LeaderLatch l = new LeaderLatch(curator, layout.leaderLatch(), self.latchId(), LeaderLatch.CloseMode.NOTIFY_LEADER);
        l.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                changed(true);
            }

            @Override
            public void notLeader() {
                changed(false);
            }
        }, notifier);
        try {
            l.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot join the control planes' leader election at " + layout.leaderLatch(), e);
        }
        latch = l;
        log.info("control plane '{}' ({}) joined the leader election", self.id(), self.url());
    }

    private void changed(boolean nowLeading) {
        if (leading == nowLeading) {
            return;
        }
        leading = nowLeading;
        log.info(nowLeading ? "control plane '{}' leads: it runs the singletons (traffic polling, event pruning, audit "
                + "outbox replay)" : "control plane '{}' no longer leads", self.id());
        events.publishEvent(new LeadershipChanged(nowLeading));
    }

    @Override
    public void stop() {
        LeaderLatch l = latch;
        latch = null;
        if (l != null) {
            try {
                l.close(); // NOTIFY_LEADER: listeners hear notLeader before the node goes, then another instance leads
            } catch (IOException e) {
                log.warn("closing the leader latch: {}", e.toString());
            }
        }
        notifier.shutdown();
    }

    @Override
    public boolean isRunning() {
        return latch != null;
    }

    /** Last to start (after the web server), first to stop. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }

    /** Whether this instance leads now (it may lose leadership a moment later; singletons check before each run). */
    public boolean isLeader() {
        LeaderLatch l = latch;
        return leading && l != null && l.hasLeadership();
    }

    /** This instance; null before the application has started. */
    public Instance self() {
        return self;
    }

    /** The leading instance as ZooKeeper sees it, if any leads now. */
    public Optional<Instance> leader() {
        LeaderLatch l = latch;
        if (l == null) {
            return Optional.empty();
        }
        try {
            Participant p = l.getLeader();
            return p.isLeader() ? Optional.of(Instance.parse(p.getId())) : Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /** This instance's id: {@code topaz.ha.instance-id}, or {@code <hostname>-<http port>}. */
    public String instanceId() {
        Instance started = self;
        if (started != null) {
            return started.id();
        }
        return props.instanceId().isBlank() ? hostname() + "-" + port() : props.instanceId().strip();
    }

    /** Every instance in the election now (the leader among them), as ZooKeeper sees it; empty before start. */
    public java.util.List<Participant> participants() {
        LeaderLatch l = latch;
        if (l == null) {
            return java.util.List.of();
        }
        try {
            return java.util.List.copyOf(l.getParticipants());
        } catch (Exception e) {
            return java.util.List.of();
        }
    }

    private String advertisedUrl() {
        String url = props.advertisedUrl().isBlank() ? "http://" + hostname() + ":" + port() : props.advertisedUrl().strip();
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private String port() {
        return env.getProperty("local.server.port", env.getProperty("server.port", "9080"));
    }

    static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}

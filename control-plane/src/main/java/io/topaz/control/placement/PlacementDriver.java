package io.topaz.control.placement;

import io.topaz.model.config.AgentCluster;
import io.topaz.model.config.Assignment;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.placement.GroupPlacement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * Runs the {@link Placer} on the leading control plane and writes what it decides. A pass runs at once after any
 * change the {@link PlacementCaches} see (an agent's node gone or come, a placement or the live release changed), so a
 * failover follows an agent's session expiry within moments, and every {@code topaz.placement.pass-interval} besides,
 * for rebalancing; passes run one at a time on the driver's thread and a burst of changes makes one pass. A write that
 * loses to a concurrent change is dropped and the pass runs again on the new state. Time is the injected clock's.
 *
 * <p>Each control plane keeps the caches (its {@code GET /api/v1/placement} reads them); only the leader's passes
 * write. An agent counts as live for rebalancing from when this leader first saw it, so a new leader waits
 * {@code rebalance-interval} before it hands rebalanced work to anyone.
 */
public final class PlacementDriver implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(PlacementDriver.class);
    /** The actor of the leader's placements in the audit log. */
    public static final String ACTOR = "placer";

    private final PlacementCaches caches;
    private final PlacementWriter writer;
    private final Callable<ConfigSnapshot> liveRelease;
    private final PlacementProperties settings;
    private final Clock clock;
    private final PlacementMetrics metrics;
    private final BooleanSupplier active;
    private final Map<String, Long> liveSince = new HashMap<>();
    /** This driver's writes the caches may not show yet (by group), so a pass right after a write decides on them. */
    private final Map<String, PlacementCaches.Placed> recent = new HashMap<>();
    private final AtomicBoolean pending = new AtomicBoolean();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "placement");
        t.setDaemon(true);
        return t;
    });
    private volatile Placer.Plan lastPlan = new Placer.Plan(List.of(), Map.of());

    public PlacementDriver(PlacementCaches caches, PlacementWriter writer, Callable<ConfigSnapshot> liveRelease,
                           PlacementProperties settings, Clock clock, PlacementMetrics metrics, BooleanSupplier active) {
        this.caches = caches;
        this.writer = writer;
        this.liveRelease = liveRelease;
        this.settings = settings;
        this.clock = clock;
        this.metrics = metrics;
        this.active = active;
    }

    public void start() {
        caches.onChange(this::passSoon);
        long every = settings.passInterval().toMillis();
        timer.scheduleWithFixedDelay(this::scheduledPass, every, every, TimeUnit.MILLISECONDS);
    }

    /** Runs a pass on the driver's thread soon; requests made while one waits are one pass. */
    public void passSoon() {
        if (pending.compareAndSet(false, true)) {
            try {
                timer.execute(() -> {
                    pending.set(false);
                    scheduledPass();
                });
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                pending.set(false);
            }
        }
    }

    private void scheduledPass() {
        try {
            int written = pass();
            if (written < 0) {
                passSoon(); // a write lost to a concurrent change: decide again on what won
            }
        } catch (Exception e) {
            log.warn("placement pass failed; the next runs in {}: {}", settings.passInterval(), e.toString());
        }
    }

    /**
     * One pass now, on the caller's thread (tests that move the clock call it): decides and writes. Returns the number
     * of placements written, 0 when this control plane does not lead or nothing changed, -1 when a write lost to a
     * concurrent change.
     */
    public synchronized int pass() throws Exception {
        if (!active.getAsBoolean()) {
            liveSince.clear();
            recent.clear();
            return 0;
        }
        if (!caches.ready()) {
            return 0;
        }
        long now = clock.millis();
        Map<String, PlacementCaches.Placed> placed = new java.util.TreeMap<>(caches.placements());
        recent.entrySet().removeIf(e -> {
            PlacementCaches.Placed cached = placed.get(e.getKey());
            return cached != null && cached.version() >= e.getValue().version();
        });
        placed.putAll(recent);
        Placer.Input input = input(liveRelease.call(), caches.syncAgents(), placed, now);
        Placer.Plan plan = Placer.plan(input, settings, now);
        lastPlan = plan;
        metrics.unplaced(plan.unplacedCount());
        int written = 0;
        boolean lost = false;
        for (Placer.Move m : plan.moves()) {
            GroupPlacement to = m.to();
            PlacementCaches.Placed current = placed.get(to.group());
            if (writer.write(to, current == null ? -1 : current.version(), ACTOR)) {
                written++;
                recent.put(to.group(), new PlacementCaches.Placed(to, current == null ? 0 : current.version() + 1));
                log.info("seller group '{}' placed on agent '{}' of cluster '{}' ({}; was on {})", to.group(),
                        to.agent(), to.cluster(), to.reason(), to.previousAgent() == null ? "none" : to.previousAgent());
            } else {
                lost = true;
            }
        }
        if (written > 0) {
            writer.flushAudit();
        }
        return lost ? -1 : written;
    }

    /** The latest pass's decision (its unplaced groups); empty before the first pass or off the leader. */
    public Placer.Plan lastPlan() {
        return lastPlan;
    }

    private Placer.Input input(ConfigSnapshot config, List<PlacementCaches.SyncAgent> agents,
                               Map<String, PlacementCaches.Placed> placed, long now) {
        Set<String> present = agents.stream().map(a -> a.cluster() + "/" + a.id()).collect(Collectors.toSet());
        liveSince.keySet().retainAll(present);
        List<Placer.LiveAgent> live = new ArrayList<>();
        for (PlacementCaches.SyncAgent a : agents) {
            long since = liveSince.computeIfAbsent(a.cluster() + "/" + a.id(), k -> now);
            live.add(new Placer.LiveAgent(a.id(), a.cluster(), a.zone(), since, a.load()));
        }
        Map<String, GroupPlacement> placements = new LinkedHashMap<>();
        placed.forEach((g, p) -> placements.put(g, p.placement()));
        return input(config, live, placements);
    }

    /** The placer's input from a release, the live agents and the placements. */
    static Placer.Input input(ConfigSnapshot config, List<Placer.LiveAgent> live, Map<String, GroupPlacement> placements) {
        Map<String, List<String>> zones = new LinkedHashMap<>();
        for (AgentCluster c : config.items(ConfigKind.AGENT_CLUSTERS).values()) {
            zones.put(c.name(), c.zones());
        }
        Map<String, String> assignments = new LinkedHashMap<>();
        for (Assignment a : config.items(ConfigKind.ASSIGNMENTS).values()) {
            if (config.items(ConfigKind.SELLER_GROUPS).containsKey(a.sellerGroup()) && zones.containsKey(a.cluster())) {
                assignments.put(a.sellerGroup(), a.cluster());
            }
        }
        return new Placer.Input(zones, assignments, live, placements);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}

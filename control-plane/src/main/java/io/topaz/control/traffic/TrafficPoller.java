package io.topaz.control.traffic;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.topaz.control.fleet.AdminPortProperties;
import io.topaz.control.fleet.FleetView;
import io.topaz.model.fleet.AgentInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * Every {@code topaz.traffic.poll-interval}, scrapes every live agent of the fleet view at once (asynchronously, each
 * with the scrape timeout) and hands the answers to the {@link TrafficAggregator} (rates per rule) and to
 * {@link AgentCallRates} (gateway calls and errors per agent). An agent that does not answer counts
 * as not reporting for that poll and holds up nobody; if ZooKeeper cannot list the fleet, the last rates stay.
 *
 * <p>Lifecycle {@code LATENT → STARTED → CLOSED}: {@link #start()} once, {@link #close()} any number of times; a
 * scheduled poll that finds the poller closed does nothing. {@link #poll()} runs one poll on the caller's thread, for
 * tests that move the clock themselves. Scheduled polls run only while {@code active} says so: on the leading control
 * plane ({@code io.topaz.control.ha.Leadership}).
 *
 * <p>Meter: {@code topaz.traffic.agents.not.reporting}, live agents that did not answer the latest poll.
 */
public final class TrafficPoller implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(TrafficPoller.class);

    private enum State { LATENT, STARTED, CLOSED }

    private final FleetView fleet;
    private final TrafficProperties settings;
    private final Clock clock;
    private final AgentTrafficReader reader;
    private final TrafficAggregator aggregator;
    private final AgentCallRates agentRates;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "traffic-poller");
        t.setDaemon(true);
        return t;
    });
    private volatile TrafficSnapshot latest = TrafficSnapshot.empty();
    private final BooleanSupplier active;

    public TrafficPoller(FleetView fleet, TrafficProperties settings, Clock clock, MeterRegistry registry) {
        this(fleet, settings, new AdminPortProperties(false), clock, registry, () -> true);
    }

    public TrafficPoller(FleetView fleet, TrafficProperties settings, Clock clock, MeterRegistry registry,
                         BooleanSupplier active) {
        this(fleet, settings, new AdminPortProperties(false), clock, registry, active);
    }

    /**
     * @param admin  how the agents' admin ports are called (http or https)
     * @param active whether scheduled polls run now: with several control planes, only the leader scrapes the agents
     *               (the others forward the traffic reads to it); {@link #poll()} runs regardless
     */
    public TrafficPoller(FleetView fleet, TrafficProperties settings, AdminPortProperties admin, Clock clock,
                         MeterRegistry registry, BooleanSupplier active) {
        this.active = active;
        this.fleet = fleet;
        this.settings = settings;
        this.clock = clock;
        this.reader = new AgentTrafficReader(settings.scrapeTimeout(), admin.scheme());
        this.aggregator = new TrafficAggregator(settings.historyPoints());
        this.agentRates = new AgentCallRates(settings.historyPoints());
        Gauge.builder("topaz.traffic.agents.not.reporting", this, p -> p.latest().agentsNotReporting())
                .description("Live agents whose /metrics did not answer the latest traffic poll")
                .register(registry);
    }

    /** Starts polling: the first poll at once, then one {@code poll-interval} after each poll ends. */
    public void start() {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("the traffic poller can be started once; it is " + state.get());
        }
        long every = settings.pollInterval().toMillis();
        timer.scheduleWithFixedDelay(this::scheduledPoll, 0, every, TimeUnit.MILLISECONDS);
    }

    /** Runs a scheduled poll now rather than at the next tick (a control plane that just took over the polling). */
    public void pollSoon() {
        if (state.get() == State.STARTED) {
            timer.execute(this::scheduledPoll);
        }
    }

    private void scheduledPoll() {
        if (state.get() != State.STARTED || !active.getAsBoolean()) {
            return;
        }
        try {
            poll();
        } catch (RuntimeException e) {
            // never let one bad poll end the schedule
            log.warn("traffic poll failed; the next one runs in {}", settings.pollInterval(), e);
        }
    }

    /** Polls every live agent now and returns the new rates. Blocks at most about twice the scrape timeout. */
    public TrafficSnapshot poll() {
        List<AgentInfo> agents;
        try {
            agents = fleet.agents();
        } catch (Exception e) {
            log.warn("cannot list the live agents for the traffic poll; keeping the last rates: {}", e.toString());
            return latest;
        }
        Instant at = clock.instant();
        Map<AgentInfo, CompletableFuture<Optional<AgentCounters>>> pending = new LinkedHashMap<>();
        for (AgentInfo a : agents) {
            pending.put(a, reader.scrape(a));
        }
        CompletableFuture.allOf(pending.values().toArray(CompletableFuture[]::new)).join();
        Map<String, AgentScrape> scrapes = new LinkedHashMap<>();
        pending.forEach((a, f) -> scrapes.put(a.id(), new AgentScrape(a.startedAtMillis(), f.join())));
        TrafficSnapshot next = aggregator.record(at, scrapes);
        agentRates.record(at, scrapes);
        latest = next;
        return next;
    }

    /** The latest poll's rates; before the first poll, an empty snapshot with no time. */
    public TrafficSnapshot latest() {
        return latest;
    }

    /** The rule's last {@code limit} rate points, oldest first; empty when no agent has counted the rule lately. */
    public Optional<List<RatePoint>> history(RuleKey rule, int limit) {
        return aggregator.history(rule, limit);
    }

    /** Every live agent's gateway rates from the latest poll, each with its last {@code limit} points at most. */
    public FleetTraffic fleetTraffic(int limit) {
        return agentRates.fleet(limit);
    }

    public int historyPoints() {
        return settings.historyPoints();
    }

    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) != State.CLOSED) {
            timer.shutdownNow();
        }
    }
}

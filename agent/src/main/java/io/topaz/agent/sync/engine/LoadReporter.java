package io.topaz.agent.sync.engine;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.topaz.model.placement.SyncAgentLoad;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * This agent's load report: built every few seconds by the engine from the groups it holds, published as the data of
 * its member node ({@link SyncMembers#report}) for the control plane's leader, kept for {@code GET /sync}, and exported
 * as Micrometer gauges: per group {@code topaz.sync.group.changes.rate}, {@code topaz.sync.group.lag.p99.seconds},
 * {@code topaz.sync.group.connections}, {@code topaz.sync.group.backlog} (tag {@code group}), and per hot seller
 * {@code topaz.sync.group.hot.seller.changes.rate} (tags {@code group}, {@code seller}) — only for the sellers in a
 * group's current top {@link #HOT}, the others' gauges removed, so at most 10 series per held group exist at a time.
 */
final class LoadReporter implements AutoCloseable {

    /** How many hot sellers a group reports. */
    static final int HOT = 10;

    private final MeterRegistry registry;
    private final SyncMembers members;
    private final String agentId;
    private final String zone;
    private final String cluster;
    private final Map<String, GroupGauges> gauges = new HashMap<>();
    private volatile SyncAgentLoad last;

    private final class GroupGauges {
        final AtomicReference<SyncAgentLoad.GroupLoad> load = new AtomicReference<>();
        final List<Meter> meters = new ArrayList<>();
        final Map<Long, Meter> sellers = new HashMap<>();
        final Map<Long, Double> rates = new HashMap<>();

        GroupGauges(String group) {
            Tags tags = Tags.of("group", group);
            meters.add(Gauge.builder("topaz.sync.group.changes.rate", load, l -> l.get().changesPerSecond())
                    .description("order changes consumed per second over the last minute (all targets)")
                    .tags(tags).register(registry));
            meters.add(Gauge.builder("topaz.sync.group.lag.p99.seconds", load, l -> l.get().lagP99Millis() / 1000.0)
                    .description("p99 of source modified to target written over the last minute").tags(tags)
                    .register(registry));
            meters.add(Gauge.builder("topaz.sync.group.connections", load, l -> l.get().connections())
                    .description("target connections the group's pools hold here").tags(tags).register(registry));
            meters.add(Gauge.builder("topaz.sync.group.backlog", load, l -> l.get().backlog())
                    .description("messages waiting in the group's sync queues").tags(tags).register(registry));
        }

        void update(String group, SyncAgentLoad.GroupLoad l) {
            load.set(l);
            Set<Long> now = new HashSet<>();
            synchronized (rates) {
                for (SyncAgentLoad.SellerLoad s : l.hotSellers()) {
                    now.add(s.sellerId());
                    rates.put(s.sellerId(), s.changesPerSecond());
                    sellers.computeIfAbsent(s.sellerId(), id -> Gauge.builder(
                                    "topaz.sync.group.hot.seller.changes.rate", rates, r -> rate(r, id))
                            .description("a hot seller's changes per second over the last minute (top 10 only)")
                            .tags("group", group, "seller", Long.toString(id)).register(registry));
                }
                sellers.entrySet().removeIf(e -> {
                    if (now.contains(e.getKey())) {
                        return false;
                    }
                    registry.remove(e.getValue());
                    rates.remove(e.getKey());
                    return true;
                });
            }
        }

        void close() {
            meters.forEach(registry::remove);
            sellers.values().forEach(registry::remove);
        }
    }

    private static double rate(Map<Long, Double> rates, long seller) {
        synchronized (rates) {
            return rates.getOrDefault(seller, 0.0);
        }
    }

    LoadReporter(MeterRegistry registry, SyncMembers members, String agentId, String zone, String cluster) {
        this.registry = registry;
        this.members = members;
        this.agentId = agentId;
        this.zone = zone;
        this.cluster = cluster;
        this.last = empty(0);
    }

    SyncAgentLoad empty(long nowMillis) {
        return new SyncAgentLoad(agentId, zone, cluster, nowMillis, Map.of());
    }

    /** Publishes the load of the groups held now (per group, over its targets) and updates the gauges. */
    synchronized SyncAgentLoad report(long nowMillis, Map<String, List<SyncAgentLoad.GroupLoad>> perTarget) {
        Map<String, SyncAgentLoad.GroupLoad> groups = new LinkedHashMap<>();
        perTarget.forEach((g, loads) -> groups.put(g, combine(loads)));
        SyncAgentLoad load = new SyncAgentLoad(agentId, zone, cluster, nowMillis, groups);
        members.report(load);
        last = load;
        gauges.entrySet().removeIf(e -> {
            if (groups.containsKey(e.getKey())) {
                return false;
            }
            e.getValue().close();
            return true;
        });
        groups.forEach((g, l) -> gauges.computeIfAbsent(g, GroupGauges::new).update(g, l));
        return load;
    }

    SyncAgentLoad last() {
        return last;
    }

    /**
     * One group's load over its targets: the work adds up (each target has its own queue of the group's changes),
     * the lag is the worst target's.
     */
    static SyncAgentLoad.GroupLoad combine(List<SyncAgentLoad.GroupLoad> loads) {
        if (loads.size() == 1) {
            return loads.get(0);
        }
        double rate = 0;
        long lag = 0;
        int connections = 0;
        long backlog = 0;
        Map<Long, SyncAgentLoad.SellerLoad> sellers = new HashMap<>();
        for (SyncAgentLoad.GroupLoad l : loads) {
            rate += l.changesPerSecond();
            lag = Math.max(lag, l.lagP99Millis());
            connections += l.connections();
            backlog += l.backlog();
            for (SyncAgentLoad.SellerLoad s : l.hotSellers()) {
                sellers.merge(s.sellerId(), s, (a, b) -> new SyncAgentLoad.SellerLoad(a.sellerId(), a.nick(),
                        a.changesPerSecond() + b.changesPerSecond()));
            }
        }
        List<SyncAgentLoad.SellerLoad> hot = sellers.values().stream()
                .sorted((a, b) -> Double.compare(b.changesPerSecond(), a.changesPerSecond())).limit(HOT).toList();
        return new SyncAgentLoad.GroupLoad(Math.round(rate * 100) / 100.0, lag, connections, backlog, hot);
    }

    @Override
    public synchronized void close() {
        gauges.values().forEach(GroupGauges::close);
        gauges.clear();
    }
}

package io.topaz.control.placement;

import io.topaz.model.placement.GroupPlacement;
import io.topaz.model.placement.SyncAgentLoad;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Decides which live syncing agent of its cluster syncs each assigned seller group: a pure function of the live
 * release's assignments and clusters, the live agents with their zones and load reports, the current placements and
 * the time. {@link PlacementDriver} feeds it from ZooKeeper and writes what it decides.
 *
 * <ul>
 *   <li>A group with no placement ({@code initial}), assigned to another cluster than its placement names
 *       ({@code cluster-change}), or whose agent is no longer live in its cluster ({@code failover}) is placed at once,
 *       whatever the minimum stay: in the zone holding the fewest of the cluster's groups (the zones the cluster
 *       expects first), on that zone's least loaded agent. The groups of one pass are placed busiest first, each on
 *       the state the earlier ones left.</li>
 *   <li>A cluster with no live agent keeps its placements; its groups are reported unplaced.</li>
 *   <li>Otherwise a cluster may get one rebalance move per pass, and only when its last placement change of any reason
 *       is at least {@code rebalance-interval} old: on the first measure (changes/s, then connections, then group
 *       count) whose spread between the most and least loaded agent exceeds its threshold ({@code imbalance-ratio}
 *       × the mean per agent, at least {@code min-imbalance-changes-per-second} for changes/s and 1 for the others),
 *       one group not moved within {@code min-stay} goes from the most loaded agent to an agent live for at least
 *       {@code rebalance-interval}, choosing the group whose load is nearest half the two agents' difference and
 *       strictly less than all of it, never making the zone spread worse nor pushing an earlier measure past its
 *       threshold. Each move thus strictly narrows that measure, so with unchanged loads rebalancing settles and never
 *       moves a group back and forth; a lower measure is not looked at while a higher one is out of balance. With every
 *       measure in balance, a zone holding two or more groups more than another (one came back) gives one group to
 *       it, within every measure's threshold.</li>
 * </ul>
 *
 * A group's load is what the agent it is placed on reports for it, else what another agent of the cluster reports
 * (a handover under way), else the mean of the cluster's reported groups (a group nobody reports yet). An agent's load
 * is the sum over the groups placed on it, so a move carries its load along before the next reports come in.
 */
public final class Placer {

    static final double EPSILON = 1e-9;
    /** The measures, in order of precedence. */
    static final String[] MEASURES = {"changesPerSecond", "connections", "groups"};

    /**
     * A live syncing agent.
     *
     * @param liveSinceMillis since when the placer has seen it live without interruption
     * @param load            its latest report; null for an agent that reports none (written before load reports)
     */
    public record LiveAgent(String id, String cluster, String zone, long liveSinceMillis, SyncAgentLoad load) {
        public LiveAgent {
            zone = zone == null ? "" : zone;
        }
    }

    /**
     * @param clusterZones the live release's clusters: name → the zones it expects
     * @param assignments  the live release's assigned seller groups (that exist): group → cluster
     * @param agents       the live syncing agents of every cluster
     * @param placements   the current placements by group
     */
    public record Input(Map<String, List<String>> clusterZones, Map<String, String> assignments, List<LiveAgent> agents,
                        Map<String, GroupPlacement> placements) {
    }

    /** One placement to write; {@code from} is the current placement (null for a group never placed). */
    public record Move(GroupPlacement from, GroupPlacement to) {
    }

    /** What a pass decided: the placements to write, and per cluster the groups no live agent can take. */
    public record Plan(List<Move> moves, Map<String, List<String>> unplaced) {
        public int unplacedCount() {
            return unplaced.values().stream().mapToInt(List::size).sum();
        }
    }

    private Placer() {
    }

    public static Plan plan(Input in, PlacementProperties settings, long nowMillis) {
        Map<String, TreeSet<String>> groupsByCluster = new TreeMap<>();
        in.assignments().forEach((g, c) -> groupsByCluster.computeIfAbsent(c, k -> new TreeSet<>()).add(g));
        List<Move> moves = new ArrayList<>();
        Map<String, List<String>> unplaced = new TreeMap<>();
        groupsByCluster.forEach((cluster, groups) -> {
            List<LiveAgent> live = in.agents().stream().filter(a -> cluster.equals(a.cluster()))
                    .sorted(Comparator.comparing(LiveAgent::id)).toList();
            if (live.isEmpty()) {
                unplaced.put(cluster, List.copyOf(groups));
                return;
            }
            Cluster c = new Cluster(cluster, in.clusterZones().getOrDefault(cluster, List.of()), live, groups,
                    in.placements());
            List<Move> placed = c.placeMissing(settings, nowMillis);
            moves.addAll(placed);
            if (placed.isEmpty()) {
                c.rebalance(settings, nowMillis).ifPresent(moves::add);
            }
        });
        return new Plan(List.copyOf(moves), unplaced);
    }

    /** One cluster's state during a pass: which group is on which agent, and the loads that follow from it. */
    private static final class Cluster {

        private final String name;
        private final List<String> expectedZones;
        private final List<LiveAgent> live;
        private final Map<String, LiveAgent> byId = new LinkedHashMap<>();
        private final TreeSet<String> groups;
        private final Map<String, GroupPlacement> placements;
        private final Map<String, String> on = new TreeMap<>();
        private final Map<String, double[]> agentLoad = new HashMap<>();
        private final Map<String, Integer> zoneCount = new HashMap<>();
        private final Map<String, double[]> groupLoad = new HashMap<>();

        Cluster(String name, List<String> expectedZones, List<LiveAgent> live, TreeSet<String> groups,
                Map<String, GroupPlacement> placements) {
            this.name = name;
            this.expectedZones = expectedZones;
            this.live = live;
            this.groups = groups;
            this.placements = placements;
            for (LiveAgent a : live) {
                byId.put(a.id(), a);
                agentLoad.put(a.id(), new double[MEASURES.length]);
                zoneCount.putIfAbsent(a.zone(), 0);
            }
            double[] mean = meanReported();
            for (String g : groups) {
                GroupPlacement p = placements.get(g);
                String agent = p != null && name.equals(p.cluster()) && byId.containsKey(p.agent()) ? p.agent() : null;
                groupLoad.put(g, loadOf(g, agent, mean));
                if (agent != null) {
                    put(g, agent);
                }
            }
        }

        /**
         * Places every group without a live placement in this cluster; empty when there is none. A group never placed
         * waits until the cluster's live agents have been unchanged for {@code initialSettle}.
         */
        List<Move> placeMissing(PlacementProperties s, long now) {
            long newest = live.stream().mapToLong(LiveAgent::liveSinceMillis).max().orElse(0);
            boolean settled = now - newest >= s.initialSettle().toMillis();
            List<String> missing = groups.stream().filter(g -> !on.containsKey(g))
                    .filter(g -> settled || placements.get(g) != null)
                    .sorted(Comparator.comparingDouble((String g) -> -groupLoad.get(g)[0]).thenComparing(g -> g))
                    .toList();
            List<Move> moves = new ArrayList<>();
            for (String g : missing) {
                GroupPlacement p = placements.get(g);
                // a group never placed that an agent already syncs (by the agents' rendezvous fallback) stays there:
                // placing it elsewhere would cost a handover for nothing; rebalancing spreads it later if need be
                String agent = p == null ? holderOf(g).orElseGet(this::choose) : choose();
                GroupPlacement to;
                if (p == null) {
                    to = new GroupPlacement(g, name, agent, now, null, GroupPlacement.INITIAL, 1);
                } else {
                    to = p.moveTo(name, agent, now, name.equals(p.cluster()) ? GroupPlacement.FAILOVER
                            : GroupPlacement.CLUSTER_CHANGE);
                }
                moves.add(new Move(p, to));
                put(g, agent);
            }
            return moves;
        }

        /** The live agent of this cluster that reports holding {@code group} now, if one does. */
        private java.util.Optional<String> holderOf(String group) {
            return live.stream().filter(a -> a.load() != null && a.load().groups().containsKey(group))
                    .map(LiveAgent::id).findFirst();
        }

        /** The zone holding the fewest of the cluster's groups (expected zones first), then its least loaded agent. */
        private String choose() {
            String zone = zoneCount.keySet().stream().min(Comparator.comparingInt((String z) -> zoneCount.get(z))
                    .thenComparing(z -> expectedZones.contains(z) ? 0 : 1).thenComparing(z -> z)).orElseThrow();
            return live.stream().filter(a -> a.zone().equals(zone)).map(LiveAgent::id).min(this::lighter).orElseThrow();
        }

        private int lighter(String a, String b) {
            double[] x = agentLoad.get(a);
            double[] y = agentLoad.get(b);
            for (int m = 0; m < MEASURES.length; m++) {
                int c = Double.compare(x[m], y[m]);
                if (c != 0) {
                    return c;
                }
            }
            return a.compareTo(b);
        }

        java.util.Optional<Move> rebalance(PlacementProperties s, long now) {
            if (live.size() < 2) {
                return java.util.Optional.empty();
            }
            long lastChange = groups.stream().map(placements::get).filter(Objects::nonNull)
                    .filter(p -> name.equals(p.cluster())).mapToLong(GroupPlacement::sinceMillis).max().orElse(0);
            if (now - lastChange < s.rebalanceInterval().toMillis()) {
                return java.util.Optional.empty();
            }
            double[] threshold = thresholds(s);
            for (int m = 0; m < MEASURES.length; m++) {
                final int measure = m;
                if (spread(agentLoad, m) <= threshold[m] + EPSILON) {
                    continue;
                }
                String from = live.stream().map(LiveAgent::id)
                        .max(Comparator.comparingDouble((String a) -> agentLoad.get(a)[measure])
                                .thenComparing(Comparator.reverseOrder())).orElseThrow();
                List<String> targets = live.stream()
                        .filter(a -> !a.id().equals(from) && now - a.liveSinceMillis() >= s.rebalanceInterval().toMillis())
                        .map(LiveAgent::id)
                        .sorted(Comparator.comparingDouble((String a) -> agentLoad.get(a)[measure]).thenComparing(a -> a))
                        .toList();
                for (String to : targets) {
                    String group = pick(from, to, m, threshold, s, now);
                    if (group != null) {
                        GroupPlacement p = placements.get(group);
                        return java.util.Optional.of(new Move(p, p.moveTo(name, to, now, GroupPlacement.REBALANCE)));
                    }
                }
                return java.util.Optional.empty(); // out of balance on a measure no move can help: leave the lower ones
            }
            return zoneMove(s, now, threshold);
        }

        /**
         * With every measure in balance: when one zone holds at least two more of the cluster's groups than another
         * (a zone came back), moves its lightest movable group from that zone's most loaded agent to the other zone's
         * least loaded agent, keeping every measure within its threshold.
         */
        private java.util.Optional<Move> zoneMove(PlacementProperties s, long now, double[] threshold) {
            List<String> zones = zoneCount.keySet().stream().sorted(Comparator.comparingInt((String z) -> zoneCount.get(z))
                    .thenComparing(z -> z)).toList();
            String fromZone = zones.get(zones.size() - 1);
            for (String toZone : zones) {
                if (zoneCount.get(toZone) > zoneCount.get(fromZone) - 2) {
                    break;
                }
                List<String> targets = live.stream().filter(a -> a.zone().equals(toZone)
                        && now - a.liveSinceMillis() >= s.rebalanceInterval().toMillis())
                        .map(LiveAgent::id).sorted(this::lighter).toList();
                List<String> sources = live.stream().filter(a -> a.zone().equals(fromZone)).map(LiveAgent::id)
                        .sorted((a, b) -> lighter(b, a)).toList();
                for (String from : sources) {
                    for (String to : targets) {
                        String group = on.entrySet().stream()
                                .filter(e -> e.getValue().equals(from))
                                .map(Map.Entry::getKey)
                                .filter(g -> now - placements.get(g).sinceMillis() >= s.minStay().toMillis())
                                .filter(g -> keepsHigherMeasures(g, from, to, MEASURES.length, threshold))
                                .min(Comparator.comparingDouble((String g) -> groupLoad.get(g)[0]).thenComparing(g -> g))
                                .orElse(null);
                        if (group != null) {
                            GroupPlacement p = placements.get(group);
                            return java.util.Optional.of(new Move(p, p.moveTo(name, to, now, GroupPlacement.REBALANCE)));
                        }
                    }
                }
            }
            return java.util.Optional.empty();
        }

        /** The group of {@code from} to move to {@code to} on measure {@code m}, or null when none may go. */
        private String pick(String from, String to, int m, double[] threshold, PlacementProperties s, long now) {
            String zf = byId.get(from).zone();
            String zt = byId.get(to).zone();
            if (!zf.equals(zt) && zoneCount.get(zt) >= zoneCount.get(zf)) {
                return null; // the move would worsen the zone spread
            }
            double gap = agentLoad.get(from)[m] - agentLoad.get(to)[m];
            String best = null;
            double bestScore = Double.MAX_VALUE;
            for (Map.Entry<String, String> e : on.entrySet()) {
                String g = e.getKey();
                if (!e.getValue().equals(from) || now - placements.get(g).sinceMillis() < s.minStay().toMillis()) {
                    continue;
                }
                double load = groupLoad.get(g)[m];
                if (load <= EPSILON || load >= gap - EPSILON || !keepsHigherMeasures(g, from, to, m, threshold)) {
                    continue;
                }
                double score = Math.abs(load - gap / 2);
                if (score < bestScore - EPSILON) {
                    best = g;
                    bestScore = score;
                }
            }
            return best;
        }

        private boolean keepsHigherMeasures(String g, String from, String to, int m, double[] threshold) {
            if (m == 0) {
                return true;
            }
            Map<String, double[]> after = new HashMap<>();
            agentLoad.forEach((a, v) -> after.put(a, v.clone()));
            double[] load = groupLoad.get(g);
            for (int h = 0; h < MEASURES.length; h++) {
                after.get(from)[h] -= load[h];
                after.get(to)[h] += load[h];
            }
            for (int h = 0; h < m; h++) {
                if (spread(after, h) > threshold[h] + EPSILON) {
                    return false;
                }
            }
            return true;
        }

        /** Per measure: the ratio of the mean per agent (which no move changes), with a floor. */
        private double[] thresholds(PlacementProperties s) {
            double[] t = new double[MEASURES.length];
            for (int m = 0; m < MEASURES.length; m++) {
                final int measure = m;
                double mean = agentLoad.values().stream().mapToDouble(v -> v[measure]).sum() / live.size();
                t[m] = Math.max(m == 0 ? s.minImbalanceChangesPerSecond() : 1, s.imbalanceRatio() * mean);
            }
            return t;
        }

        private static double spread(Map<String, double[]> loads, int m) {
            double max = loads.values().stream().mapToDouble(v -> v[m]).max().orElse(0);
            double min = loads.values().stream().mapToDouble(v -> v[m]).min().orElse(0);
            return max - min;
        }

        private void put(String g, String agent) {
            String before = on.put(g, agent);
            if (before != null) {
                add(before, g, -1);
            }
            add(agent, g, 1);
        }

        private void add(String agent, String g, int sign) {
            double[] v = agentLoad.get(agent);
            double[] l = groupLoad.get(g);
            for (int m = 0; m < MEASURES.length; m++) {
                v[m] += sign * l[m];
            }
            zoneCount.merge(byId.get(agent).zone(), sign, Integer::sum);
        }

        /** [changes/s, connections, 1] of a group, as reported by its agent, another agent, or the cluster's mean. */
        private double[] loadOf(String g, String agent, double[] mean) {
            SyncAgentLoad.GroupLoad l = agent == null ? null : reported(byId.get(agent), g);
            for (int i = 0; l == null && i < live.size(); i++) {
                l = reported(live.get(i), g);
            }
            return l == null ? mean.clone() : new double[] {l.changesPerSecond(), l.connections(), 1};
        }

        private double[] meanReported() {
            double cps = 0;
            double conns = 0;
            int n = 0;
            for (String g : groups) {
                for (LiveAgent a : live) {
                    SyncAgentLoad.GroupLoad l = reported(a, g);
                    if (l != null) {
                        cps += l.changesPerSecond();
                        conns += l.connections();
                        n++;
                        break;
                    }
                }
            }
            return n == 0 ? new double[] {0, 0, 1} : new double[] {cps / n, conns / n, 1};
        }

        private static SyncAgentLoad.GroupLoad reported(LiveAgent a, String g) {
            return a.load() == null ? null : a.load().groups().get(g);
        }
    }
}

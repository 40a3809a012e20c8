package io.topaz.console.placement;

import io.topaz.console.common.BackgroundWork;
import io.topaz.console.common.Session;
import io.topaz.console.controlplane.ControlPlaneException;
import io.topaz.console.controlplane.DraftDiff;
import io.topaz.console.controlplane.FieldProblem;
import io.topaz.console.controlplane.Placement;
import io.topaz.console.controlplane.ReleaseSummary;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.time.Clock;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The Placement screen: which live agent of its cluster syncs each seller group, with the load it reports, refreshed
 * periodically while shown, so an SRE watches a handover complete. Operators move a group to another agent of its
 * cluster (the control plane's move), or change config and publish it: move a group to another cluster, pin a hot
 * seller into a group of its own, split a range group. A config change is planned first (nothing written), confirmed
 * with a release message, then written to the draft and published as one release; a draft that holds changes the SRE
 * was not shown is not published.
 */
public final class PlacementViewModel {

    private final Session session;
    private final BackgroundWork work;
    private final Clock clock;
    private final ZoneId zone;
    private final ObservableList<PlacementNode> clusters = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper summary = new ReadOnlyStringWrapper("Loading the placement…");
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(false);
    private Placement placement = new Placement(null, List.of());
    private boolean loading;
    private boolean refreshAgain;
    /**
     * The move the SRE made and waits to see completed: the group, the agent it goes to and the placement generation
     * the move made (a later one means the leader placed it again, e.g. a failover).
     */
    private Handover handover;

    private record Handover(String cluster, String group, String agent, long generation) {
    }

    public PlacementViewModel(Session session, BackgroundWork work, Clock clock, ZoneId zone) {
        this.session = session;
        this.work = work;
        this.clock = clock;
        this.zone = zone;
    }

    /** The tree's top level: one node per cluster, by name. */
    public ObservableList<PlacementNode> clusters() {
        return clusters;
    }

    public ReadOnlyStringProperty summaryProperty() {
        return summary.getReadOnlyProperty();
    }

    /** Why the last call failed; empty when it did not. */
    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    /** What the last action did (and, after a move, whether the handover completed). */
    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    /** Moving groups and publishing config are for operators; viewers only watch. */
    public boolean mayOperate() {
        return session.mayPublish();
    }

    /** The clusters' names, by name. */
    public List<String> clusterNames() {
        return placement.clusters().stream().map(Placement.Cluster::name).sorted().toList();
    }

    /** The live agents of {@code cluster} a group on {@code current} can move to, by id. */
    public List<String> moveTargets(String cluster, String current) {
        return placement.clusters().stream().filter(c -> c.name().equals(cluster)).flatMap(c -> c.agents().stream())
                .map(Placement.Agent::id).filter(id -> !id.equals(current)).sorted().toList();
    }

    public void refresh() {
        if (loading) {
            refreshAgain = true;
            return;
        }
        loading = true;
        work.run(() -> session.client().placement(), p -> {
            loading = false;
            message.set("");
            apply(p);
            again();
        }, e -> {
            loading = false;
            message.set("Cannot load the placement: " + e.operatorMessage());
            again();
        });
    }

    private void again() {
        if (refreshAgain) {
            refreshAgain = false;
            refresh();
        }
    }

    private void apply(Placement p) {
        placement = p;
        List<PlacementNode> tree = PlacementTree.of(p, clock, zone);
        if (!tree.equals(clusters)) {
            clusters.setAll(tree);
        }
        long agents = p.clusters().stream().mapToLong(c -> c.agents().size()).sum();
        long placed = p.clusters().stream().flatMap(c -> c.groups().stream()).filter(g -> g.agent() != null).count();
        long unplaced = p.clusters().stream().mapToLong(c -> c.unplaced().size()).sum()
                + p.clusters().stream().flatMap(c -> c.groups().stream()).filter(g -> g.agent() == null).count();
        summary.set(plural(p.clusters().size(), "cluster") + " · " + plural(agents, "live agent") + " · "
                + placed + " groups placed" + (unplaced == 0 ? "" : " · " + unplaced + " unplaced")
                + (p.leader() == null ? "" : " · leader " + p.leader()));
        followHandover(p);
    }

    private void followHandover(Placement p) {
        if (handover == null) {
            return;
        }
        Optional<Placement.Group> g = p.clusters().stream().filter(c -> c.name().equals(handover.cluster()))
                .flatMap(c -> c.groups().stream()).filter(x -> x.group().equals(handover.group())).findFirst();
        if (g.isPresent() && handover.agent().equals(g.get().agent()) && g.get().holding()) {
            status.set("Handover done: " + handover.agent() + " holds " + handover.group() + ".");
            handover = null;
        } else if (g.isPresent() && g.get().generation() > handover.generation()
                && !handover.agent().equals(g.get().agent())) {
            status.set(handover.group() + " went to " + g.get().agent() + " instead of " + handover.agent() + " ("
                    + g.get().reason() + ").");
            handover = null;
        }
    }

    /** Shows why an input the view could not even send was refused (e.g. a seller id that is not a number). */
    public void refused(String why) {
        status.set("");
        message.set(why);
    }

    /** Places the group on {@code agent}, another live agent of its cluster; the tree shows the handover complete. */
    public void move(GroupRow group, String agent) {
        if (!mayOperate() || busy.get() || group == null || agent == null || agent.equals(group.agent())) {
            return;
        }
        busy.set(true);
        message.set("");
        status.set("");
        work.run(() -> session.client().movePlacement(group.group(), agent), moved -> {
            busy.set(false);
            handover = new Handover(group.cluster(), group.group(), moved.agent() == null ? agent : moved.agent(),
                    moved.generation());
            status.set("Moving " + group.group() + " from " + (group.agent() == null ? "nowhere" : group.agent())
                    + " to " + handover.agent() + ": waiting for " + handover.agent() + " to hold it…");
            refresh();
        }, e -> {
            busy.set(false);
            message.set("Cannot move " + group.group() + " to " + agent + ": " + explain(e));
        });
    }

    /** Plans moving the group to another cluster (its assignment); {@code onPlanned} gets what to confirm. */
    public void planClusterMove(GroupRow group, String cluster, Consumer<ConfigPlan> onPlanned) {
        plan("move " + group.group() + " to " + cluster,
                () -> new PlacementPlanner(session.client()).clusterMove(group.group(), cluster), onPlanned);
    }

    /**
     * Plans pinning seller {@code sellerId} into a group of its own on {@code cluster}; {@code fromGroup} (may be
     * null) is the group whose hot sellers it was picked from.
     */
    public void planPin(long sellerId, String cluster, String fromGroup, Consumer<ConfigPlan> onPlanned) {
        plan("pin seller " + sellerId, () -> new PlacementPlanner(session.client()).pin(sellerId, cluster, fromGroup),
                onPlanned);
    }

    /** Plans splitting the group at bucket {@code at}; {@code newName} (blank: {@code <group>-<at>}) gets [at, to). */
    public void planSplit(String group, int at, String newName, Consumer<ConfigPlan> onPlanned) {
        plan("split " + group, () -> new PlacementPlanner(session.client()).split(group, at, newName), onPlanned);
    }

    private void plan(String what, java.util.concurrent.Callable<ConfigPlan> planner, Consumer<ConfigPlan> onPlanned) {
        if (!mayOperate() || busy.get()) {
            return;
        }
        busy.set(true);
        message.set("");
        status.set("");
        work.run(planner, p -> {
            busy.set(false);
            onPlanned.accept(p);
        }, e -> {
            busy.set(false);
            message.set("Cannot " + what + ": " + explain(e));
        });
    }

    /** Writes the confirmed plan to the draft and publishes it with the SRE's {@code releaseMessage}. */
    public void publish(ConfigPlan plan, String releaseMessage) {
        String msg = releaseMessage == null ? "" : releaseMessage.strip();
        if (!mayOperate() || busy.get() || plan == null) {
            return;
        }
        if (msg.isEmpty()) {
            message.set("Write a release message first: say what this change does and why.");
            return;
        }
        busy.set(true);
        message.set("");
        status.set("");
        String key = UUID.randomUUID().toString();
        work.run(() -> writeAndPublish(plan, msg, key), release -> {
            busy.set(false);
            status.set("Published release " + release.number() + ": " + plan.action() + ". The leader places the "
                    + "groups as the agents apply it.");
            refresh();
        }, e -> {
            busy.set(false);
            message.set("Not published (" + plan.action() + "): " + explain(e));
        });
    }

    private ReleaseSummary writeAndPublish(ConfigPlan plan, String msg, String key) {
        var client = session.client();
        List<String> written = new java.util.ArrayList<>();
        for (ConfigPlan.Edit e : plan.edits()) {
            try {
                if (e.version() == null) {
                    client.create(e.kind(), e.value());
                } else {
                    client.update(e.kind(), e.key(), e.version(), e.value());
                }
            } catch (ControlPlaneException failed) {
                if (written.isEmpty()) {
                    throw failed;
                }
                throw new ControlPlaneException(failed.problem(), failed.status(), failed.getMessage()
                        + " (already written to the draft, unpublished: " + String.join(", ", written)
                        + "; review them on the Releases screen)", failed.fieldProblems());
            }
            written.add(ConfigPlan.label(e.kind(), e.key()));
        }
        DraftDiff diff = client.diff();
        Set<String> unexpected = diff.changes().stream().map(ConfigPlan::label)
                .filter(c -> !plan.expectedChanges().contains(c)).collect(Collectors.toCollection(TreeSet::new));
        if (!unexpected.isEmpty()) {
            throw new ControlPlaneException(ControlPlaneException.Problem.CONFLICT, 409, "the draft changed since you "
                    + "confirmed (now also " + String.join(", ", unexpected) + "). Your edits are in the draft: review "
                    + "them on the Releases screen and publish there", List.of());
        }
        return client.publish(diff.draftRevision(), msg, key);
    }

    private static String explain(ControlPlaneException e) {
        if (e.problem() == ControlPlaneException.Problem.INVALID && !e.fieldProblems().isEmpty()) {
            return e.fieldProblems().stream().map(PlacementViewModel::sentence).collect(Collectors.joining("; "));
        }
        return e.operatorMessage();
    }

    private static String sentence(FieldProblem p) {
        if (p.message() != null && !p.message().isBlank()) {
            return p.message();
        }
        return p.field() + " " + p.rule();
    }

    private static String plural(long n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }
}

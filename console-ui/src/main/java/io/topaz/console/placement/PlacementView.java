package io.topaz.console.placement;

import atlantafx.base.theme.Styles;
import io.topaz.console.common.Messages;
import io.topaz.console.common.ScreenHeader;
import io.topaz.console.controlplane.Placement;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.ListChangeListener;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TreeCell;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeView;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Placement: a tree of clusters → zones → agents → seller groups (each with its load, lag p99, connections, backlog,
 * placement reason and since), each cluster's unplaced groups, and the selected group's details and hot sellers.
 * Operators drag a group onto another agent of its cluster (a move), or onto another cluster (its assignment, published
 * after a confirmation), or use the buttons and the group's menu: move, pin a hot seller, split. Viewers only watch.
 */
public final class PlacementView extends VBox {

    private final PlacementViewModel viewModel;
    private final TreeView<PlacementNode> tree = new TreeView<>();
    private final ObjectProperty<GroupRow> selected = new SimpleObjectProperty<>();
    private final Set<String> collapsed = new HashSet<>();
    private final ListView<Placement.HotSeller> hot = new ListView<>();
    private GroupRow dragged;
    private boolean rebuilding;

    public PlacementView(PlacementViewModel viewModel) {
        this.viewModel = viewModel;
        setId("placementScreen");
        getStyleClass().add("screen");
        tree.setId("placementTree");
        tree.setShowRoot(false);
        tree.setRoot(new TreeItem<>());
        tree.setCellFactory(t -> new NodeCell());
        tree.getSelectionModel().selectedItemProperty().addListener((o, a, item) -> {
            if (!rebuilding) {
                PlacementNode n = item == null ? null : item.getValue();
                selected.set(n == null ? null : n.group());
            }
        });
        viewModel.clusters().addListener((ListChangeListener<PlacementNode>) c -> rebuild());
        rebuild();

        hot.setId("hotSellers");
        hot.setPrefHeight(150);
        hot.setPlaceholder(new Label("No hot seller reported"));
        hot.setCellFactory(l -> new javafx.scene.control.ListCell<>() {
            @Override
            protected void updateItem(Placement.HotSeller h, boolean empty) {
                super.updateItem(h, empty);
                setText(empty || h == null ? null : hotText(h));
            }
        });
        Label detail = new Label("Select a seller group to see its load and hot sellers.");
        detail.setId("groupDetail");
        detail.setWrapText(true);
        selected.addListener((o, a, g) -> {
            detail.setText(g == null ? "Select a seller group to see its load and hot sellers." : describe(g));
            hot.getItems().setAll(g == null ? List.of() : g.hotSellers());
        });
        Label hotTitle = new Label("Hot sellers");
        hotTitle.getStyleClass().add(Styles.TITLE_4);
        VBox side = new VBox(8, detail, hotTitle, hot);
        if (viewModel.mayOperate()) {
            side.getChildren().add(0, actions());
        }
        side.setMinWidth(280);
        SplitPane split = new SplitPane(tree, side);
        split.setDividerPositions(0.62);
        VBox.setVgrow(split, Priority.ALWAYS);

        Label note = new Label("The control plane's leader places each seller group on one live agent of the cluster it "
                + "is assigned to. After a move the new agent takes the group over once the old one has finished its "
                + "in-flight batches; the group shows 'handing over' until the new agent reports holding it. Moving to "
                + "another cluster, pinning a seller and splitting a range are config: they are published as a release."
                + (viewModel.mayOperate() ? " Drag a group onto an agent or another cluster to move it." : ""));
        note.getStyleClass().addAll(Styles.TEXT_MUTED, Styles.TEXT_SMALL);
        note.setWrapText(true);
        getChildren().addAll(ScreenHeader.withSummary("Placement", "placementSummary", viewModel.summaryProperty(),
                        viewModel::refresh),
                Messages.error("placementMessage", viewModel.messageProperty()),
                Messages.status("placementStatus", viewModel.statusProperty()), split, note);
    }

    private FlowPane actions() {
        MenuButton move = new MenuButton("Move to agent");
        move.setId("moveToAgent");
        move.setOnShowing(e -> move.getItems().setAll(agentItems(selected.get())));
        MenuButton cluster = new MenuButton("Move to cluster");
        cluster.setId("moveToCluster");
        cluster.setOnShowing(e -> cluster.getItems().setAll(clusterItems(selected.get())));
        Button pin = new Button("Pin seller…");
        pin.setId("pinSeller");
        pin.setOnAction(e -> pin(selected.get()));
        Button splitRange = new Button("Split…");
        splitRange.setId("splitGroup");
        splitRange.setOnAction(e -> split(selected.get()));
        move.disableProperty().bind(selected.isNull().or(viewModel.busyProperty()));
        cluster.disableProperty().bind(selected.isNull().or(viewModel.busyProperty()));
        pin.disableProperty().bind(selected.isNull().or(viewModel.busyProperty()));
        splitRange.disableProperty().bind(selected.isNull().or(viewModel.busyProperty()));
        FlowPane box = new FlowPane(8, 8, move, cluster, pin, splitRange);
        box.setAlignment(Pos.CENTER_LEFT);
        return box;
    }

    private List<MenuItem> agentItems(GroupRow g) {
        if (g == null) {
            return List.of();
        }
        List<MenuItem> items = viewModel.moveTargets(g.cluster(), g.agent()).stream().map(agent -> {
            MenuItem i = new MenuItem(agent);
            i.setId("moveTo-" + agent);
            i.setOnAction(e -> viewModel.move(g, agent));
            return i;
        }).toList();
        return items.isEmpty() ? List.of(disabled("no other live agent in " + g.cluster())) : items;
    }

    private List<MenuItem> clusterItems(GroupRow g) {
        if (g == null) {
            return List.of();
        }
        List<MenuItem> items = viewModel.clusterNames().stream().filter(c -> !c.equals(g.cluster())).map(c -> {
            MenuItem i = new MenuItem(c);
            i.setId("moveToCluster-" + c);
            i.setOnAction(e -> moveToCluster(g, c));
            return i;
        }).toList();
        return items.isEmpty() ? List.of(disabled("no other cluster")) : items;
    }

    private static MenuItem disabled(String text) {
        MenuItem i = new MenuItem(text);
        i.setDisable(true);
        return i;
    }

    private void moveToCluster(GroupRow g, String cluster) {
        viewModel.planClusterMove(g, cluster, this::confirm);
    }

    private void pin(GroupRow g) {
        if (g == null) {
            return;
        }
        Placement.HotSeller chosen = hot.getSelectionModel().getSelectedItem();
        PlacementDialogs.pin(this, g.group(), g.hotSellers().stream().map(PlacementView::hotText).toList(),
                chosen == null ? null : String.valueOf(chosen.sellerId()), viewModel.clusterNames(), g.cluster())
                .ifPresent(in -> {
                    long id;
                    try {
                        id = Long.parseLong(in.sellerId());
                    } catch (NumberFormatException e) {
                        viewModel.refused("A seller is a TOP user id (a positive whole number), was '" + in.sellerId()
                                + "'.");
                        return;
                    }
                    // a seller of the group's hot list leaves that group; a typed one the range group of its bucket
                    String from = g.hotSellers().stream().anyMatch(h -> h.sellerId() == id) ? g.group() : null;
                    viewModel.planPin(id, in.cluster() == null ? g.cluster() : in.cluster(), from, this::confirm);
                });
    }

    private void split(GroupRow g) {
        if (g == null) {
            return;
        }
        if (g.pinned()) {
            viewModel.refused("Only a bucket range can be split; " + g.group() + " is a pin group.");
            return;
        }
        PlacementDialogs.split(this, g).ifPresent(in -> {
            try {
                viewModel.planSplit(g.group(), Integer.parseInt(in.at()), in.name(), this::confirm);
            } catch (NumberFormatException e) {
                viewModel.refused("The split bucket is a whole number"
                        + (g.bucketFrom() == null ? "" : " between " + (g.bucketFrom() + 1) + " and " + (g.bucketTo() - 1))
                        + ", was '" + in.at() + "'.");
            }
        });
    }

    private void confirm(ConfigPlan plan) {
        PlacementDialogs.confirm(this, plan).ifPresent(message -> viewModel.publish(plan, message));
    }

    /** Where a dragged group was dropped: an agent of its cluster moves it there, another cluster reassigns it. */
    private void drop(GroupRow g, PlacementNode target) {
        if (g == null || target == null || !viewModel.mayOperate()) {
            return;
        }
        if (!target.cluster().equals(g.cluster())) {
            moveToCluster(g, target.cluster());
        } else if (target.agent() != null && !target.agent().equals(g.agent())) {
            viewModel.move(g, target.agent());
        }
    }

    /** Replaces the tree's items, keeping what was collapsed and the selected group. */
    private void rebuild() {
        GroupRow keep = selected.get();
        rebuilding = true;
        try {
            tree.getRoot().getChildren().setAll(viewModel.clusters().stream().map(this::item).toList());
        } finally {
            rebuilding = false;
        }
        GroupRow now = null;
        if (keep != null) {
            TreeItem<PlacementNode> found = find(tree.getRoot(), "group:" + keep.key());
            if (found != null) {
                tree.getSelectionModel().select(found);
                now = found.getValue().group();
            }
        }
        selected.set(now);
    }

    private TreeItem<PlacementNode> item(PlacementNode n) {
        TreeItem<PlacementNode> item = new TreeItem<>(n);
        n.children().forEach(c -> item.getChildren().add(item(c)));
        item.setExpanded(!collapsed.contains(n.key()));
        item.expandedProperty().addListener((o, a, open) -> {
            if (open) {
                collapsed.remove(n.key());
            } else {
                collapsed.add(n.key());
            }
        });
        return item;
    }

    private static TreeItem<PlacementNode> find(TreeItem<PlacementNode> from, String key) {
        for (TreeItem<PlacementNode> c : from.getChildren()) {
            if (c.getValue().key().equals(key)) {
                return c;
            }
            TreeItem<PlacementNode> deeper = find(c, key);
            if (deeper != null) {
                return deeper;
            }
        }
        return null;
    }

    private static String describe(GroupRow g) {
        if (!g.placed()) {
            return g.group() + " (cluster " + g.cluster() + ") is not placed: no live agent of the cluster holds it.";
        }
        return g.group() + " · " + g.range() + "\nOn " + g.agent() + " (" + g.zone() + ", cluster " + g.cluster() + ")"
                + (g.holding() ? ", holding it" : ", handing over: " + g.agent() + " does not hold it yet")
                + "\nLoad " + g.load() + " · lag p99 " + g.lag() + " · " + g.connections() + " connections · backlog "
                + g.backlog() + "\nPlaced: " + g.reason() + " " + g.since()
                + (g.previousAgent() == null ? "" : " · before on " + g.previousAgent())
                + " · generation " + g.generation();
    }

    private static String hotText(Placement.HotSeller h) {
        return h.sellerId() + (h.nick() == null || h.nick().isBlank() ? "" : " " + h.nick()) + " "
                + GroupRow.rate(h.changesPerSecond());
    }

    /** A node's title over its detail; a group can be dragged (operators), any node of a cluster takes a drop. */
    private final class NodeCell extends TreeCell<PlacementNode> {

        NodeCell() {
            setOnDragDetected(e -> {
                PlacementNode n = getItem();
                if (viewModel.mayOperate() && n != null && n.group() != null) {
                    dragged = n.group();
                    startFullDrag();
                }
            });
            setOnMouseDragEntered(e -> {
                if (dragged != null && getItem() != null) {
                    getStyleClass().add("placement-drop-target");
                }
            });
            setOnMouseDragExited(e -> getStyleClass().remove("placement-drop-target"));
            setOnMouseDragReleased(e -> {
                getStyleClass().remove("placement-drop-target");
                GroupRow g = dragged;
                dragged = null;
                drop(g, getItem());
            });
        }

        @Override
        protected void updateItem(PlacementNode n, boolean empty) {
            super.updateItem(n, empty);
            getStyleClass().removeAll("placement-handover", "placement-unplaced");
            setContextMenu(null);
            if (empty || n == null) {
                setText(null);
                setGraphic(null);
                setId(null);
                return;
            }
            setId("placement-" + n.key().replaceAll("[^A-Za-z0-9_-]", "_"));
            Label title = new Label(n.title());
            title.getStyleClass().add(n.type() == PlacementNode.Type.GROUP ? Styles.TEXT_BOLD : Styles.TITLE_4);
            Label detail = new Label(n.detail());
            detail.getStyleClass().addAll(Styles.TEXT_MUTED, Styles.TEXT_SMALL);
            setText(null);
            setGraphic(new VBox(1, title, detail));
            if (n.group() != null && n.group().placed() && !n.group().holding()) {
                getStyleClass().add("placement-handover");
            }
            if (n.group() != null && !n.group().placed()) {
                getStyleClass().add("placement-unplaced");
            }
            if (viewModel.mayOperate() && n.group() != null) {
                GroupRow g = n.group();
                Menu toAgent = new Menu("Move to agent");
                toAgent.getItems().setAll(agentItems(g));
                Menu toCluster = new Menu("Move to cluster");
                toCluster.getItems().setAll(clusterItems(g));
                MenuItem pin = new MenuItem("Pin seller…");
                pin.setOnAction(e -> pin(g));
                MenuItem split = new MenuItem("Split…");
                split.setOnAction(e -> split(g));
                setContextMenu(new ContextMenu(toAgent, toCluster, pin, split));
            }
        }
    }
}

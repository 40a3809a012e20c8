package io.topaz.console.sync;

import atlantafx.base.theme.Styles;
import io.topaz.console.common.Messages;
import io.topaz.console.common.ScreenHeader;
import io.topaz.console.controlplane.SyncStatus;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.ListChangeListener;
import javafx.geometry.Pos;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

import java.util.function.Function;

/**
 * Sync: the sync targets of the live release (app, database, user, seller groups, whether the password is set), and
 * one row per (target, seller group) with its holder agent, lag p50/p99, merge ratio, source reads, writes, skipped
 * writes, repairs by reason, backfill, last reconciliation and errors. Admins select a running group and start a full
 * reconciliation after a confirmation; others do not see the button.
 */
public final class SyncView extends VBox {

    private final SyncViewModel viewModel;

    public SyncView(SyncViewModel viewModel) {
        this.viewModel = viewModel;
        getStyleClass().add("screen");
        setId("syncScreen");
        HBox header = ScreenHeader.withSummary("Sync", "syncSummary", viewModel.summaryProperty(), viewModel::refresh);

        TableView<SyncStatus.Target> targets = new TableView<>(viewModel.targets());
        targets.setId("syncTargetsTable");
        targets.setPlaceholder(new Label("No sync target is published (Order sync → Sync targets)."));
        targets.getColumns().add(text("Target", 150, SyncStatus.Target::name));
        targets.getColumns().add(text("App", 120, SyncStatus.Target::appKey));
        targets.getColumns().add(text("Database", 330, SyncStatus.Target::jdbcUrl));
        targets.getColumns().add(text("User", 110, SyncStatus.Target::user));
        targets.getColumns().add(text("Seller groups", 200, t -> String.join(", ", t.sellerGroups())));
        targets.getColumns().add(text("Password", 110, t -> t.passwordSet() ? "set" : "NOT SET"));
        targets.setPrefHeight(140);
        targets.setMinHeight(100);

        TableView<SyncRow> groups = new TableView<>(viewModel.groups());
        groups.setId("syncGroupsTable");
        groups.setPlaceholder(new Label("No seller group is synced yet."));
        groups.getColumns().add(text("Target", 120, SyncRow::target));
        groups.getColumns().add(text("Group", 110, SyncRow::group));
        groups.getColumns().add(text("Holder", 200, SyncRow::holder));
        groups.getColumns().add(text("Lag p50 / p99", 135, SyncRow::lag));
        groups.getColumns().add(text("Merge ratio", 110, SyncRow::mergeRatio));
        groups.getColumns().add(text("Reads saved", 110, SyncRow::readsSaved));
        groups.getColumns().add(number("Reads", 85, SyncRow::sourceReads));
        groups.getColumns().add(number("Writes", 85, SyncRow::writes));
        groups.getColumns().add(number("Skipped", 85, SyncRow::skipped));
        groups.getColumns().add(text("Repairs", 190, SyncRow::repairs));
        groups.getColumns().add(text("Backfill", 150, SyncRow::backfill));
        groups.getColumns().add(text("Last reconcile", 150, SyncRow::lastReconcile));
        groups.getColumns().add(number("Errors", 70, SyncRow::errors));
        groups.getColumns().add(text("Last error", 260, SyncRow::lastError));
        groups.setPrefHeight(320);
        groups.setMinHeight(160);
        VBox.setVgrow(groups, Priority.ALWAYS);
        // a refresh replaces the rows, and the selection with them: keep the group selected
        String[] chosen = {null};
        groups.getSelectionModel().selectedItemProperty().addListener((o, a, row) -> {
            if (!viewModel.replacing()) {
                chosen[0] = row == null ? null : row.key();
            }
        });
        viewModel.groups().addListener((ListChangeListener<SyncRow>) c -> Platform.runLater(() ->
                viewModel.groups().stream().filter(r -> r.key().equals(chosen[0])).findFirst()
                        .ifPresent(r -> groups.getSelectionModel().select(r))));

        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox actions = new HBox(8, spacer);
        actions.setAlignment(Pos.CENTER_LEFT);
        if (viewModel.mayReconcile()) {
            Button reconcile = new Button("Full reconciliation…");
            reconcile.setId("reconcileGroup");
            reconcile.disableProperty().bind(groups.getSelectionModel().selectedItemProperty().isNull()
                    .or(viewModel.busyProperty()));
            reconcile.setOnAction(e -> confirm(groups.getSelectionModel().getSelectedItem()));
            actions.getChildren().add(reconcile);
        }

        Label note = new Label("The control plane asks every agent's admin port for its sync groups. Lag runs from an "
                + "order's modified time at the source to its write at the target; the merge ratio is change messages "
                + "per source read; skipped writes found the target already current. Repairs are the reconciliation's, "
                + "by reason: a missed message, a lost write, a late message. A full reconciliation compares hashes of "
                + "key ranges in both databases and repairs the rows that differ.");
        note.getStyleClass().addAll(Styles.TEXT_MUTED, Styles.TEXT_SMALL);
        note.setWrapText(true);
        note.setMinHeight(Region.USE_PREF_SIZE);
        Label groupsTitle = new Label("Seller groups");
        groupsTitle.getStyleClass().add(Styles.TITLE_4);
        getChildren().addAll(header, Messages.error("syncMessage", viewModel.messageProperty()),
                Messages.error("syncWarning", viewModel.warningProperty()), targets, groupsTitle,
                Messages.status("syncStatus", viewModel.statusProperty()), groups, actions, note);
    }

    private void confirm(SyncRow row) {
        if (row == null) {
            return;
        }
        if (!row.running()) {
            new Alert(Alert.AlertType.INFORMATION, "No agent syncs " + row.group() + " of " + row.target()
                    + " now, so there is nothing to reconcile it with yet.").showAndWait();
            return;
        }
        ButtonType go = new ButtonType("Reconcile", ButtonBar.ButtonData.OK_DONE);
        Alert alert = new Alert(Alert.AlertType.CONFIRMATION, "Run a full reconciliation of seller group " + row.group()
                + " of " + row.target() + " on " + row.holder() + "? It reads both databases over the group's whole "
                + "range, and repairs every order that differs.", go, ButtonType.CANCEL);
        alert.setHeaderText("Full reconciliation");
        alert.showAndWait().filter(b -> b == go).ifPresent(b -> viewModel.reconcile(row));
    }

    private static <R> TableColumn<R, String> text(String title, double width, Function<R, String> value) {
        TableColumn<R, String> c = new TableColumn<>(title);
        c.setPrefWidth(width);
        c.setCellValueFactory(cell -> new ReadOnlyObjectWrapper<>(value.apply(cell.getValue())));
        return c;
    }

    private static <R> TableColumn<R, Number> number(String title, double width, Function<R, Long> value) {
        TableColumn<R, Number> c = new TableColumn<>(title);
        c.setPrefWidth(width);
        c.setCellValueFactory(cell -> new ReadOnlyObjectWrapper<>(value.apply(cell.getValue())));
        c.setStyle("-fx-alignment: CENTER-RIGHT;");
        return c;
    }
}

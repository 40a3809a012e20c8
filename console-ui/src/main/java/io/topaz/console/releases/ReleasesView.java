package io.topaz.console.releases;

import atlantafx.base.theme.Styles;
import io.topaz.console.common.Messages;
import io.topaz.console.controlplane.DraftChange;
import io.topaz.console.controlplane.ReleaseSummary;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.TextInputDialog;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

import java.util.function.Function;

/**
 * Draft diff, publish, rollout progress, and the release history with rollback. Publish and rollback exist only for
 * operators, and both ask for confirmation.
 */
public final class ReleasesView extends VBox {

    private final ReleasesViewModel viewModel;

    public ReleasesView(ReleasesViewModel viewModel) {
        this.viewModel = viewModel;
        setId("releasesScreen");
        getStyleClass().add("screen");
        Label title = new Label("Releases");
        title.getStyleClass().add("screen-title");

        Label diffTitle = new Label("Draft compared with the live release");
        diffTitle.getStyleClass().add(Styles.TITLE_4);
        Label diffSummary = new Label();
        diffSummary.setId("diffSummary");
        diffSummary.textProperty().bind(viewModel.diffSummaryProperty());

        TableView<DraftChange> changes = new TableView<>(viewModel.changes());
        changes.setId("changes");
        changes.setPlaceholder(new Label("The draft equals the live release"));
        TableColumn<DraftChange, String> type = column("Change", 100, c -> c.type().name());
        type.setCellFactory(col -> new TableCell<>() {
            @Override
            protected void updateItem(String t, boolean empty) {
                super.updateItem(t, empty);
                getStyleClass().removeAll("change-ADDED", "change-MODIFIED", "change-REMOVED");
                setText(empty ? null : t);
                if (!empty && t != null) {
                    getStyleClass().add("change-" + t);
                }
            }
        });
        changes.getColumns().add(type);
        changes.getColumns().add(column("Kind", 110, DraftChange::kind));
        changes.getColumns().add(column("Key", 200, DraftChange::key));
        changes.getSelectionModel().selectedItemProperty().addListener((o, a, c) -> viewModel.selectedChangeProperty().set(c));
        TextArea detail = new TextArea();
        detail.setId("changeDetail");
        detail.setEditable(false);
        detail.getStyleClass().add("detail");
        detail.setPromptText("Select a change to see the entry before and after");
        detail.textProperty().bind(viewModel.changeDetailProperty());
        SplitPane diff = new SplitPane(changes, detail);
        diff.setDividerPositions(0.5);
        diff.setPrefHeight(220);

        VBox top = new VBox(8, title, diffTitle, diffSummary, diff);
        if (viewModel.mayPublish()) {
            TextField message = new TextField();
            message.setId("publishMessage");
            message.setPromptText("What does this release change, and why?");
            message.textProperty().bindBidirectional(viewModel.publishMessageProperty());
            HBox.setHgrow(message, Priority.ALWAYS);
            Button publish = new Button("Publish…");
            publish.setId("publish");
            publish.getStyleClass().add(Styles.ACCENT);
            publish.disableProperty().bind(viewModel.canPublish().not());
            publish.setOnAction(e -> confirmPublish());
            top.getChildren().add(new HBox(8, message, publish));
        }
        top.getChildren().add(Messages.error("releasesMessage", viewModel.messageProperty()));

        VBox rollout = new VBox();
        rollout.setId("rollout");
        rollout.visibleProperty().bind(viewModel.rolloutProperty().isNotNull());
        rollout.managedProperty().bind(rollout.visibleProperty());
        viewModel.rolloutProperty().addListener((o, a, r) -> rollout.getChildren().setAll(r == null ? new VBox() : rollout(r)));
        top.getChildren().add(rollout);

        Label historyTitle = new Label("History");
        historyTitle.getStyleClass().add(Styles.TITLE_4);
        TableView<ReleaseSummary> history = new TableView<>(viewModel.history());
        history.setId("history");
        history.setPlaceholder(new Label("Nothing published yet"));
        history.getColumns().add(column("Release", 80, r -> String.valueOf(r.number())));
        history.getColumns().add(column("", 50, r -> r.live() ? "live" : ""));
        history.getColumns().add(column("Message", 330, ReleaseSummary::message));
        history.getColumns().add(column("Author", 150, ReleaseSummary::author));
        history.getColumns().add(column("Published", 200, r -> r.createdAt() == null ? "" : r.createdAt().replace('T', ' ')));
        history.getColumns().add(column("Rollback of", 100, r -> r.rollbackOf() == null ? "" : String.valueOf(r.rollbackOf())));
        history.getColumns().add(column("Entries", 80, r -> String.valueOf(r.itemCount())));
        VBox.setVgrow(history, Priority.ALWAYS);
        HBox historyBar = new HBox(10, historyTitle);
        if (viewModel.mayPublish()) {
            Button rollback = new Button("Roll back to selected…");
            rollback.setId("rollback");
            rollback.getStyleClass().add(Styles.DANGER);
            rollback.disableProperty().bind(Bindings.createBooleanBinding(() -> {
                ReleaseSummary s = history.getSelectionModel().getSelectedItem();
                return s == null || s.live() || viewModel.busyProperty().get();
            }, history.getSelectionModel().selectedItemProperty(), viewModel.busyProperty()));
            rollback.setOnAction(e -> confirmRollback(history.getSelectionModel().getSelectedItem()));
            historyBar.getChildren().add(rollback);
        }
        Button refresh = new Button("Refresh");
        refresh.setOnAction(e -> viewModel.refresh());
        historyBar.getChildren().add(refresh);
        historyBar.setAlignment(javafx.geometry.Pos.CENTER_LEFT);

        getChildren().addAll(top, historyBar, history);
    }

    private VBox rollout(Rollout r) {
        Label summary = new Label();
        summary.setId("rolloutSummary");
        summary.getStyleClass().add(Styles.TEXT_BOLD);
        summary.textProperty().bind(r.summaryProperty());
        ProgressBar bar = new ProgressBar();
        bar.setMaxWidth(Double.MAX_VALUE);
        bar.progressProperty().bind(r.progressProperty());
        ListView<AgentProgress> agents = new ListView<>(r.agents());
        agents.setId("rolloutAgents");
        agents.setPrefHeight(76);
        agents.setMinHeight(76);
        agents.setCellFactory(l -> new ListCell<>() {
            @Override
            protected void updateItem(AgentProgress p, boolean empty) {
                super.updateItem(p, empty);
                textProperty().unbind();
                if (empty || p == null) {
                    setText(null);
                    return;
                }
                textProperty().bind(Bindings.createStringBinding(() -> (p.doneProperty().get() ? "✔ " : "… ")
                        + p.agentId() + ": release " + p.appliedReleaseProperty().get()
                        + (p.doneProperty().get() ? " — applied" : " — waiting for release " + r.release()),
                        p.doneProperty(), p.appliedReleaseProperty()));
            }
        });
        VBox box = new VBox(6, summary, bar, agents);
        box.getStyleClass().add("rollout");
        r.completeProperty().addListener((o, a, done) -> {
            if (done) {
                box.getStyleClass().add("rollout-done");
            }
        });
        return box;
    }

    private void confirmPublish() {
        int n = viewModel.changes().size();
        ButtonType publish = new ButtonType("Publish", ButtonBar.ButtonData.OK_DONE);
        Alert alert = new Alert(Alert.AlertType.CONFIRMATION, "Publish " + n + (n == 1 ? " change" : " changes")
                + " to every agent as a new release?\n\nMessage: " + viewModel.publishMessageProperty().get().strip(),
                publish, ButtonType.CANCEL);
        alert.setHeaderText("Publish the draft?");
        alert.initOwner(getScene().getWindow());
        alert.showAndWait().filter(b -> b == publish).ifPresent(b -> viewModel.publish());
    }

    private void confirmRollback(ReleaseSummary target) {
        if (target == null) {
            return;
        }
        TextInputDialog dialog = new TextInputDialog("roll back to release " + target.number());
        dialog.initOwner(getScene().getWindow());
        dialog.setHeaderText("Roll back to release " + target.number() + "?");
        dialog.setContentText("Its content is published again as a new release, and the draft is reset to it "
                + "(the unpublished draft changes shown above are discarded; if anyone changed the draft since, "
                + "nothing is rolled back). Why?");
        dialog.showAndWait().filter(m -> !m.isBlank()).ifPresent(m -> viewModel.rollback(target, m.strip()));
    }

    private static <T> TableColumn<T, String> column(String title, double width, Function<T, String> value) {
        TableColumn<T, String> c = new TableColumn<>(title);
        c.setPrefWidth(width);
        c.setCellValueFactory(cell -> new ReadOnlyStringWrapper(value.apply(cell.getValue())));
        return c;
    }
}

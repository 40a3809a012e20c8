package io.topaz.console.messages;

import atlantafx.base.theme.Styles;
import io.topaz.console.common.Messages;
import io.topaz.console.common.ScreenHeader;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.value.ObservableValue;
import javafx.collections.ListChangeListener;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Messages: one row per app (queues, backlog, in flight, redelivered/s, dead-lettered/s, dead letters, oldest
 * unconfirmed), and below it the selected app's dead-letter queue, a page at a time, with Replay and Purge of the
 * selected rows after a confirmation (operators only; viewers do not see the buttons).
 */
public final class MessagesView extends VBox {

    private final MessagesViewModel viewModel;

    public MessagesView(MessagesViewModel viewModel) {
        this.viewModel = viewModel;
        getStyleClass().add("screen");
        setId("messagesScreen");
        HBox header = ScreenHeader.withSummary("Messages", "messagesSummary", viewModel.summaryProperty(),
                viewModel::refresh);

        TableView<AppRow> appsTable = new TableView<>(viewModel.apps());
        appsTable.setId("messageAppsTable");
        appsTable.setPlaceholder(new Label("No broker agent reports a queue yet."));
        appsTable.getColumns().add(text("App", 170, AppRow::app));
        appsTable.getColumns().add(whole("Queues", 70, AppRow::queuesProperty));
        appsTable.getColumns().add(whole("Backlog", 95, AppRow::backlogProperty));
        appsTable.getColumns().add(whole("In flight", 85, AppRow::inFlightProperty));
        appsTable.getColumns().add(rate("Redelivered/s", 130, AppRow::redeliveredPerSecondProperty));
        appsTable.getColumns().add(rate("Dead-lettered/s", 140, AppRow::deadLetteredPerSecondProperty));
        appsTable.getColumns().add(whole("Dead letters", 115, AppRow::deadLettersProperty));
        TableColumn<AppRow, Number> oldest = new TableColumn<>("Oldest unconfirmed");
        oldest.setPrefWidth(170);
        oldest.setCellValueFactory(c -> c.getValue().oldestUnconfirmedAgeMillisProperty());
        oldest.setCellFactory(c -> new TableCell<>() {
            @Override
            protected void updateItem(Number n, boolean empty) {
                super.updateItem(n, empty);
                setText(empty || n == null ? null : MessagesViewModel.age(n.longValue()));
            }
        });
        oldest.setStyle("-fx-alignment: CENTER-RIGHT;");
        appsTable.getColumns().add(oldest);
        appsTable.getSelectionModel().selectedItemProperty().addListener((o, a, row) -> {
            if (row != null && !viewModel.replacing()) {
                viewModel.select(row.app());
            }
        });
        // a refresh that adds or drops an app replaces the rows, and the table's selection with them: keep the app
        viewModel.apps().addListener((ListChangeListener<AppRow>) c -> Platform.runLater(() -> {
            String app = viewModel.selectedAppProperty().get();
            viewModel.apps().stream().filter(r -> r.app().equals(app)).findFirst()
                    .ifPresent(r -> appsTable.getSelectionModel().select(r));
        }));
        appsTable.setPrefHeight(200);
        appsTable.setMinHeight(120);
        VBox.setVgrow(appsTable, Priority.SOMETIMES);

        Label lettersTitle = new Label();
        lettersTitle.setId("deadLettersTitle");
        lettersTitle.getStyleClass().add(Styles.TITLE_4);
        lettersTitle.textProperty().bind(viewModel.deadLettersTitleProperty());

        TableView<DeadLetterRow> letters = new TableView<>(viewModel.deadLetters());
        letters.setId("deadLettersTable");
        letters.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
        letters.setPlaceholder(new Label("No dead letters."));
        letters.getSelectionModel().getSelectedItems().addListener((ListChangeListener<DeadLetterRow>) c ->
                viewModel.choose(letters.getSelectionModel().getSelectedItems().stream().map(DeadLetterRow::id).toList()));
        // a reload of the page replaces the rows and so clears the selection: select the same dead letters again
        viewModel.deadLetters().addListener((ListChangeListener<DeadLetterRow>) c -> Platform.runLater(() -> {
            for (int i = 0; i < viewModel.deadLetters().size(); i++) {
                if (viewModel.chosen().contains(viewModel.deadLetters().get(i).id())) {
                    letters.getSelectionModel().select(i);
                }
            }
        }));
        letters.getColumns().add(text("Id", 90, r -> String.valueOf(r.id())));
        letters.getColumns().add(text("Topic", 210, DeadLetterRow::topic));
        letters.getColumns().add(text("Seller", 210, DeadLetterRow::seller));
        letters.getColumns().add(text("Died at", 150, DeadLetterRow::diedAt));
        letters.getColumns().add(text("Attempts", 85, r -> String.valueOf(r.attempts())));
        letters.getColumns().add(text("Reason", 125, DeadLetterRow::reason));
        letters.getColumns().add(text("Content", 420, DeadLetterRow::preview));
        letters.setPrefHeight(320);
        letters.setMinHeight(160);
        VBox.setVgrow(letters, Priority.ALWAYS);

        Button previous = new Button("Previous");
        previous.setId("deadLettersPrevious");
        previous.disableProperty().bind(viewModel.hasPreviousProperty().not());
        previous.setOnAction(e -> viewModel.previousPage());
        Button next = new Button("Next");
        next.setId("deadLettersNext");
        next.disableProperty().bind(viewModel.hasNextProperty().not());
        next.setOnAction(e -> viewModel.nextPage());
        Label pageText = new Label();
        pageText.setId("deadLettersPage");
        pageText.textProperty().bind(viewModel.pageTextProperty());
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox paging = new HBox(8, previous, next, pageText, spacer);
        paging.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        if (viewModel.mayAct()) {
            Button replay = new Button("Replay selected…");
            replay.setId("replayDeadLetters");
            replay.disableProperty().bind(letters.getSelectionModel().selectedItemProperty().isNull()
                    .or(viewModel.busyProperty()));
            replay.setOnAction(e -> confirm(letters, true));
            Button purge = new Button("Purge selected…");
            purge.setId("purgeDeadLetters");
            purge.getStyleClass().add(Styles.DANGER);
            purge.disableProperty().bind(replay.disableProperty());
            purge.setOnAction(e -> confirm(letters, false));
            paging.getChildren().addAll(replay, purge);
        }

        Label note = new Label("The control plane asks every agent's broker port for its queues, dead letters and "
                + "push connections. Backlog counts stored messages not yet confirmed (in flight included); rates "
                + "compare the last two refreshes. Replay sends a dead letter back to the tail of the queue it died in. "
                + "Disconnecting a push connection gives its unconfirmed messages back to its group.");
        note.getStyleClass().addAll(Styles.TEXT_MUTED, Styles.TEXT_SMALL);
        note.setWrapText(true);
        note.setMinHeight(Region.USE_PREF_SIZE);
        getChildren().addAll(header, Messages.error("messagesMessage", viewModel.messageProperty()),
                Messages.error("messagesWarning", viewModel.warningProperty()), appsTable, lettersTitle,
                Messages.status("deadLettersStatus", viewModel.statusProperty()), letters, paging);
        getChildren().addAll(connections(viewModel.connections()));
        getChildren().add(note);
    }

    /** The push connections' table and, for admins, Disconnect of the selected one after a confirmation. */
    private static List<javafx.scene.Node> connections(ConnectionsViewModel vm) {
        Label title = new Label();
        title.setId("pushConnectionsTitle");
        title.getStyleClass().add(Styles.TITLE_4);
        title.textProperty().bind(vm.titleProperty());
        TableView<ConnectionRow> table = new TableView<>(vm.rows());
        table.setId("pushConnectionsTable");
        table.setPlaceholder(new Label("No app is connected for push."));
        table.getColumns().add(text("App", 150, ConnectionRow::app));
        table.getColumns().add(text("Group", 100, ConnectionRow::group));
        table.getColumns().add(text("Agent", 130, ConnectionRow::agentId));
        table.getColumns().add(text("Id", 60, ConnectionRow::id));
        table.getColumns().add(text("Client", 170, ConnectionRow::remote));
        table.getColumns().add(text("Since", 150, ConnectionRow::since));
        table.getColumns().add(text("In flight", 80, r -> String.valueOf(r.inFlight())));
        table.getColumns().add(text("Pushed", 90, r -> String.valueOf(r.pushed())));
        table.getColumns().add(text("Confirmed", 90, r -> String.valueOf(r.confirmed())));
        table.setPrefHeight(180);
        table.setMinHeight(140);
        VBox.setVgrow(table, Priority.SOMETIMES);
        List<javafx.scene.Node> nodes = new java.util.ArrayList<>(List.of(title,
                Messages.error("pushConnectionsMessage", vm.messageProperty()),
                Messages.status("pushConnectionsStatus", vm.statusProperty()), table));
        if (vm.mayDisconnect()) {
            Button disconnect = new Button("Disconnect…");
            disconnect.setId("disconnectPushConnection");
            disconnect.getStyleClass().add(Styles.DANGER);
            disconnect.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull()
                    .or(vm.busyProperty()));
            disconnect.setOnAction(e -> {
                ConnectionRow row = table.getSelectionModel().getSelectedItem();
                if (row == null) {
                    return;
                }
                ButtonType go = new ButtonType("Disconnect", ButtonBar.ButtonData.OK_DONE);
                Alert alert = new Alert(Alert.AlertType.CONFIRMATION, "Disconnect " + row.app() + " (" + row.group()
                        + ") from " + row.agentId() + "? The client is closed with a reason; its " + row.inFlight()
                        + " unconfirmed messages are delivered again, and the client may reconnect.", go,
                        ButtonType.CANCEL);
                alert.setHeaderText("Disconnect a push connection");
                alert.showAndWait().filter(b -> b == go).ifPresent(b -> vm.disconnect(row));
            });
            nodes.add(new HBox(8, disconnect));
        }
        return nodes;
    }

    private void confirm(TableView<DeadLetterRow> letters, boolean replay) {
        List<Long> ids = letters.getSelectionModel().getSelectedItems().stream().map(DeadLetterRow::id).toList();
        String app = viewModel.selectedAppProperty().get();
        if (ids.isEmpty() || app == null) {
            return;
        }
        String what = ids.size() == 1 ? "dead letter " + ids.get(0) : ids.size() + " dead letters";
        ButtonType go = new ButtonType(replay ? "Replay" : "Purge", ButtonBar.ButtonData.OK_DONE);
        Alert alert = new Alert(Alert.AlertType.CONFIRMATION, replay
                ? "Replay " + what + " of " + app + "? Each goes back to the tail of the queue it died in and is "
                + "delivered again."
                : "Purge " + what + " of " + app + "? They are deleted and cannot be replayed afterwards.",
                go, ButtonType.CANCEL);
        alert.setHeaderText(replay ? "Replay dead letters" : "Purge dead letters");
        alert.showAndWait().filter(b -> b == go).ifPresent(b -> {
            if (replay) {
                viewModel.replay(ids);
            } else {
                viewModel.purge(ids);
            }
        });
    }

    private static <R> TableColumn<R, String> text(String title, double width, Function<R, String> value) {
        TableColumn<R, String> c = new TableColumn<>(title);
        c.setPrefWidth(width);
        c.setCellValueFactory(cell -> new ReadOnlyObjectWrapper<>(value.apply(cell.getValue())));
        return c;
    }

    private static TableColumn<AppRow, Number> whole(String title, double width,
                                                     Function<AppRow, ObservableValue<Number>> value) {
        TableColumn<AppRow, Number> c = new TableColumn<>(title);
        c.setPrefWidth(width);
        c.setCellValueFactory(cell -> value.apply(cell.getValue()));
        c.setStyle("-fx-alignment: CENTER-RIGHT;");
        return c;
    }

    private static TableColumn<AppRow, Number> rate(String title, double width,
                                                    Function<AppRow, ObservableValue<Number>> value) {
        TableColumn<AppRow, Number> c = whole(title, width, value);
        c.setCellFactory(col -> new TableCell<>() {
            @Override
            protected void updateItem(Number n, boolean empty) {
                super.updateItem(n, empty);
                setText(empty || n == null ? null
                        : Double.isNaN(n.doubleValue()) ? "—" : String.format(Locale.ROOT, "%.1f", n.doubleValue()));
            }
        });
        return c;
    }
}

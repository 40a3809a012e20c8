package io.topaz.console.audit;

import atlantafx.base.theme.Styles;
import io.topaz.console.common.Messages;
import io.topaz.console.controlplane.AuditEvent;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.DatePicker;
import javafx.scene.control.Label;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

import java.util.function.Function;

/** The audit log: filters by time, user, item and release; events newest first; the selected event's detail. */
public final class AuditView extends VBox {

    public AuditView(AuditViewModel viewModel) {
        setId("auditScreen");
        getStyleClass().add("screen");
        Label title = new Label("Audit log");
        title.getStyleClass().add("screen-title");

        DatePicker fromDate = new DatePicker();
        fromDate.setId("auditFromDate");
        fromDate.setPromptText("from date");
        fromDate.valueProperty().bindBidirectional(viewModel.fromDateProperty());
        fromDate.setPrefWidth(130);
        TextField fromTime = small("auditFromTime", "HH:mm", 5, viewModel.fromTimeProperty());
        DatePicker toDate = new DatePicker();
        toDate.setId("auditToDate");
        toDate.setPromptText("to date");
        toDate.valueProperty().bindBidirectional(viewModel.toDateProperty());
        toDate.setPrefWidth(130);
        TextField toTime = small("auditToTime", "HH:mm", 5, viewModel.toTimeProperty());
        TextField actor = small("auditActor", "user (token name)", 12, viewModel.actorProperty());
        ComboBox<String> kind = new ComboBox<>();
        kind.setId("auditKind");
        kind.getItems().addAll(AuditViewModel.KINDS);
        kind.setPromptText("any kind");
        kind.valueProperty().bindBidirectional(viewModel.kindProperty());
        TextField key = small("auditKey", "item key", 12, viewModel.keyProperty());
        TextField release = small("auditRelease", "release", 5, viewModel.releaseProperty());
        Button search = new Button("Search");
        search.setId("auditSearch");
        search.setDefaultButton(true);
        search.getStyleClass().add(Styles.ACCENT);
        search.setOnAction(e -> viewModel.search());
        Button lastHour = new Button("Last hour");
        lastHour.setOnAction(e -> viewModel.lastHour());
        Button lastWeek = new Button("Last 7 days");
        lastWeek.setOnAction(e -> viewModel.lastDays(7));
        Button clear = new Button("Clear");
        clear.setOnAction(e -> viewModel.clearFilters());
        for (Button b : new Button[] {lastHour, lastWeek, clear}) {
            b.getStyleClass().add(Styles.FLAT);
        }

        FlowPane filters = new FlowPane(8, 8,
                new Label("From"), fromDate, fromTime, new Label("to"), toDate, toTime,
                new Label("User"), actor, new Label("Item"), kind, key, new Label("Release"), release,
                search, lastHour, lastWeek, clear);
        filters.setAlignment(javafx.geometry.Pos.CENTER_LEFT);

        TableView<AuditEvent> table = new TableView<>(viewModel.events());
        table.setId("auditTable");
        table.setPlaceholder(new Label("No events match"));
        table.getColumns().add(column("When", 180, e -> e.at() == null ? "" : e.at().replace('T', ' ')));
        table.getColumns().add(column("User", 130, AuditEvent::actor));
        table.getColumns().add(column("Action", 100, AuditEvent::action));
        table.getColumns().add(column("Kind", 100, AuditEvent::kind));
        table.getColumns().add(column("Key", 180, AuditEvent::key));
        table.getColumns().add(column("Version", 70, e -> e.itemVersion() == null ? "" : String.valueOf(e.itemVersion())));
        table.getColumns().add(column("Release", 70, e -> e.release() == null ? "" : String.valueOf(e.release())));
        table.getSelectionModel().selectedItemProperty().addListener((o, a, e) -> viewModel.selectedProperty().set(e));
        TextArea detail = new TextArea();
        detail.setId("auditDetail");
        detail.setEditable(false);
        detail.getStyleClass().add("detail");
        detail.setPromptText("Select an event to see what changed");
        detail.textProperty().bind(viewModel.detailProperty());
        SplitPane split = new SplitPane(table, detail);
        split.setDividerPositions(0.6);
        VBox.setVgrow(split, Priority.ALWAYS);

        Button older = new Button("Load older events");
        older.setId("auditOlder");
        older.visibleProperty().bind(viewModel.moreAvailableProperty());
        older.managedProperty().bind(older.visibleProperty());
        older.setOnAction(e -> viewModel.loadOlder());
        HBox footer = new HBox(10, Messages.status("auditStatus", viewModel.statusProperty()), older);
        footer.setAlignment(javafx.geometry.Pos.CENTER_LEFT);

        getChildren().addAll(title, filters, Messages.error("auditMessage", viewModel.messageProperty()), split, footer);
    }

    private static TextField small(String id, String prompt, int columns, javafx.beans.property.StringProperty value) {
        TextField t = new TextField();
        t.setId(id);
        t.setPromptText(prompt);
        t.setPrefColumnCount(columns);
        t.textProperty().bindBidirectional(value);
        return t;
    }

    private static TableColumn<AuditEvent, String> column(String title, double width, Function<AuditEvent, String> value) {
        TableColumn<AuditEvent, String> c = new TableColumn<>(title);
        c.setPrefWidth(width);
        c.setCellValueFactory(cell -> new ReadOnlyStringWrapper(value.apply(cell.getValue())));
        return c;
    }
}

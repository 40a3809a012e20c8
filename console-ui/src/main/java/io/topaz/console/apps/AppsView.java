package io.topaz.console.apps;

import atlantafx.base.theme.Styles;
import io.topaz.console.common.Messages;
import io.topaz.console.controlplane.AppRecord;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.Pos;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ChoiceDialog;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.TextInputDialog;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/** The Apps screen: search, status filter, pages; for admins a create form and actions on the selected app. */
public final class AppsView extends VBox {

    private final AppsViewModel viewModel;

    public AppsView(AppsViewModel viewModel) {
        this.viewModel = viewModel;
        setId("appsScreen");
        getStyleClass().add("screen");
        Label title = new Label("Apps");
        title.getStyleClass().add("screen-title");

        TextField search = new TextField();
        search.setId("appsSearch");
        search.setPromptText("key, name or owner");
        search.textProperty().bindBidirectional(viewModel.searchProperty());
        search.setOnAction(e -> viewModel.searchNow());
        ComboBox<String> status = new ComboBox<>();
        status.setId("appsStatus");
        status.getItems().addAll(AppsViewModel.STATUSES);
        status.setPromptText("any status");
        status.valueProperty().bindBidirectional(viewModel.statusProperty());
        Button go = new Button("Search");
        go.setId("appsSearchButton");
        go.getStyleClass().add(Styles.ACCENT);
        go.setOnAction(e -> viewModel.searchNow());
        FlowPane filters = new FlowPane(8, 8, search, status, go);
        filters.setAlignment(Pos.CENTER_LEFT);

        TableView<AppRecord> table = new TableView<>(viewModel.apps());
        table.setId("appsTable");
        table.setPlaceholder(new Label("No apps match"));
        table.getColumns().add(column("App key", 120, AppRecord::appKey));
        table.getColumns().add(column("Name", 160, AppRecord::name));
        table.getColumns().add(column("Owner", 120, AppRecord::owner));
        table.getColumns().add(column("Status", 90, AppRecord::status));
        table.getColumns().add(column("Allowed API groups", 200, a -> String.join(", ", a.allowedApiGroups())));
        table.getColumns().add(column("Version", 70, a -> String.valueOf(a.version())));
        table.getColumns().add(column("Old secret retires", 170, a -> a.previousSecretRetireAt() == null ? ""
                : Instant.ofEpochMilli(a.previousSecretRetireAt()).toString().replace('T', ' ')));
        VBox.setVgrow(table, Priority.ALWAYS);

        Button previous = new Button("◀");
        previous.setOnAction(e -> viewModel.previousPage());
        Button next = new Button("▶");
        next.setOnAction(e -> viewModel.nextPage());
        Label pageInfo = new Label();
        pageInfo.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(
                () -> "page " + (viewModel.pageProperty().get() + 1) + " · " + viewModel.totalProperty().get() + " apps",
                viewModel.pageProperty(), viewModel.totalProperty()));
        HBox pager = new HBox(8, previous, pageInfo, next);
        pager.setAlignment(Pos.CENTER_LEFT);

        getChildren().addAll(title, filters, Messages.error("appsMessage", viewModel.messageProperty()),
                Messages.status("appsNotice", viewModel.noticeProperty()), table, pager);
        if (viewModel.mayManage()) {
            getChildren().addAll(actions(table), createForm());
        }
        viewModel.oneTimeSecretProperty().addListener((o, a, secret) -> {
            if (secret != null) {
                showSecretOnce(viewModel.secretForProperty().get(), secret);
            }
        });
    }

    private HBox actions(TableView<AppRecord> table) {
        Button disable = new Button("Disable");
        disable.setId("appDisable");
        disable.setOnAction(e -> selected(table, a -> {
            if (confirm("Disable app " + a.appKey() + "? Every call it makes fails at once, on every agent.")) {
                viewModel.disable(a);
            }
        }));
        Button enable = new Button("Enable");
        enable.setId("appEnable");
        enable.setOnAction(e -> selected(table, viewModel::enable));
        Button groups = new Button("Allowed groups…");
        groups.setOnAction(e -> selected(table, a -> {
            TextInputDialog d = new TextInputDialog(String.join(", ", a.allowedApiGroups()));
            d.setHeaderText("API groups app " + a.appKey() + " may call (comma-separated)");
            d.showAndWait().ifPresent(text -> viewModel.setGroups(a, text));
        }));
        Button rotate = new Button("Rotate secret…");
        rotate.setId("appRotate");
        rotate.setOnAction(e -> selected(table, a -> {
            ChoiceDialog<String> d = new ChoiceDialog<>("24 hours", List.of("now", "1 hour", "24 hours", "7 days"));
            d.setHeaderText("A new secret for " + a.appKey() + ". How long may callers keep using the old one?");
            d.showAndWait().ifPresent(choice -> viewModel.rotateSecret(a, switch (choice) {
                case "now" -> Duration.ZERO;
                case "1 hour" -> Duration.ofHours(1);
                case "7 days" -> Duration.ofDays(7);
                default -> Duration.ofHours(24);
            }));
        }));
        Button retire = new Button("Retire old secret");
        retire.setOnAction(e -> selected(table, a -> {
            if (confirm("Stop accepting the previous secret of " + a.appKey() + " now?")) {
                viewModel.retirePreviousSecret(a);
            }
        }));
        HBox box = new HBox(8, new Label("Selected app:"), disable, enable, groups, rotate, retire);
        box.setAlignment(Pos.CENTER_LEFT);
        return box;
    }

    private VBox createForm() {
        TextField key = field("newAppKey", "app key (empty: generated)", viewModel.newKeyProperty());
        TextField name = field("newAppName", "name", viewModel.newNameProperty());
        TextField owner = field("newAppOwner", "owner (the ISV)", viewModel.newOwnerProperty());
        TextField groups = field("newAppGroups", "allowed API groups, e.g. basic, trade", viewModel.newGroupsProperty());
        Button create = new Button("Create app");
        create.setId("appCreate");
        create.getStyleClass().add(Styles.ACCENT);
        create.setOnAction(e -> viewModel.create());
        FlowPane form = new FlowPane(8, 8, key, name, owner, groups, create);
        Label errors = new Label();
        errors.setId("appCreateErrors");
        errors.getStyleClass().add(Styles.DANGER);
        viewModel.fieldErrors().addListener((javafx.collections.MapChangeListener<String, String>) c ->
                errors.setText(viewModel.fieldErrors().entrySet().stream().map(x -> x.getKey() + ": " + x.getValue())
                        .reduce((x, y) -> x + "   " + y).orElse("")));
        Label heading = new Label("New app");
        heading.getStyleClass().add(Styles.TEXT_BOLD);
        return new VBox(6, heading, form, errors);
    }

    private void showSecretOnce(String appKey, String secret) {
        Alert a = new Alert(Alert.AlertType.INFORMATION);
        a.setTitle("App secret");
        a.setHeaderText("The secret of " + appKey + " — shown this once, never again");
        TextField text = new TextField(secret);
        text.setId("oneTimeSecret");
        text.setEditable(false);
        Button copy = new Button("Copy");
        copy.setOnAction(e -> {
            ClipboardContent content = new ClipboardContent();
            content.putString(secret);
            Clipboard.getSystemClipboard().setContent(content);
        });
        HBox box = new HBox(8, text, copy);
        HBox.setHgrow(text, Priority.ALWAYS);
        a.getDialogPane().setContent(box);
        a.setOnHidden(e -> viewModel.secretSeen());
        a.show();
    }

    private static boolean confirm(String question) {
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, question, ButtonType.OK, ButtonType.CANCEL);
        return a.showAndWait().filter(b -> b == ButtonType.OK).isPresent();
    }

    private static void selected(TableView<AppRecord> table, java.util.function.Consumer<AppRecord> action) {
        AppRecord a = table.getSelectionModel().getSelectedItem();
        if (a != null) {
            action.accept(a);
        }
    }

    private static TextField field(String id, String prompt, javafx.beans.property.StringProperty value) {
        TextField t = new TextField();
        t.setId(id);
        t.setPromptText(prompt);
        t.textProperty().bindBidirectional(value);
        return t;
    }

    private static TableColumn<AppRecord, String> column(String title, double width, Function<AppRecord, String> value) {
        TableColumn<AppRecord, String> c = new TableColumn<>(title);
        c.setPrefWidth(width);
        c.setCellValueFactory(cell -> new ReadOnlyStringWrapper(value.apply(cell.getValue())));
        return c;
    }
}

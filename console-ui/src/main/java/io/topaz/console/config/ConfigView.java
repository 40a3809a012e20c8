package io.topaz.console.config;

import atlantafx.base.theme.Styles;
import io.topaz.console.common.Messages;
import io.topaz.console.controlplane.DraftItem;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.controlsfx.control.textfield.TextFields;

import java.time.Instant;

/**
 * One kind's screen: a search box, the table, and the editor beside it. New and Delete exist only for a role that may
 * edit the kind; deleting asks first.
 */
public final class ConfigView extends VBox {

    private final ConfigTableViewModel viewModel;
    private final StackPane editorPane = new StackPane();
    private final TableView<DraftItem> table;
    private boolean reverting;

    public ConfigView(ConfigTableViewModel viewModel) {
        this.viewModel = viewModel;
        KindForm form = viewModel.form();
        setId("config-" + form.kind());
        getStyleClass().add("screen");

        Label title = new Label(form.title());
        title.getStyleClass().add("screen-title");
        TextField search = TextFields.createClearableTextField();
        search.setId("search");
        search.setPromptText("Search " + form.title().toLowerCase());
        search.setPrefColumnCount(24);
        search.textProperty().bindBidirectional(viewModel.searchProperty());
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox toolbar = new HBox(10, title, spacer, search);
        toolbar.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        Button refresh = new Button("Refresh");
        refresh.setOnAction(e -> viewModel.refresh());

        table = new TableView<>(viewModel.visibleItems());
        table.setId("entries");
        table.setPlaceholder(new Label("No " + form.title().toLowerCase() + " in the draft"));
        for (String column : form.columns()) {
            TableColumn<DraftItem, String> c = new TableColumn<>(form.label(column));
            c.setCellValueFactory(cell -> new ReadOnlyStringWrapper(viewModel.cellText(cell.getValue(), column)));
            c.setPrefWidth(column.equals(form.keyField()) ? 170 : 120);
            table.getColumns().add(c);
        }
        TableColumn<DraftItem, String> version = new TableColumn<>("Version");
        version.setCellValueFactory(cell -> new ReadOnlyStringWrapper(String.valueOf(cell.getValue().version())));
        version.setPrefWidth(70);
        TableColumn<DraftItem, String> updated = new TableColumn<>("Updated by");
        updated.setCellValueFactory(cell -> new ReadOnlyStringWrapper(cell.getValue().updatedBy() + " · "
                + Instant.ofEpochMilli(cell.getValue().updatedAtMillis()).toString().replace('T', ' ').substring(0, 16)));
        updated.setPrefWidth(190);
        table.getColumns().add(version);
        table.getColumns().add(updated);
        table.getSelectionModel().selectedItemProperty().addListener((o, previous, item) -> {
            if (item == null || reverting) {
                return;
            }
            EntryEditorViewModel open = viewModel.editorProperty().get();
            if (open != null && item.key().equals(open.originalKey())) {
                return;
            }
            if (!mayDiscard(open)) {
                // Put the selection back once this change has finished.
                reverting = true;
                Platform.runLater(() -> {
                    if (previous == null) {
                        table.getSelectionModel().clearSelection();
                    } else {
                        table.getSelectionModel().select(previous);
                    }
                    reverting = false;
                });
                return;
            }
            viewModel.open(item);
        });

        HBox actions = new HBox(8);
        if (viewModel.isEditable()) {
            Button add = new Button("New " + form.singular());
            add.setId("newEntry");
            add.getStyleClass().add(Styles.ACCENT);
            add.setOnAction(e -> {
                if (mayDiscard(viewModel.editorProperty().get())) {
                    viewModel.closeEditor();
                    viewModel.newEntry();
                }
            });
            Button delete = new Button("Delete…");
            delete.setId("deleteEntry");
            delete.getStyleClass().add(Styles.DANGER);
            delete.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull());
            delete.setOnAction(e -> confirmDelete(table.getSelectionModel().getSelectedItem()));
            actions.getChildren().addAll(add, delete);
        } else {
            Label readOnly = new Label("Your role may view " + form.title().toLowerCase() + " but not change them.");
            readOnly.getStyleClass().add(Styles.TEXT_MUTED);
            actions.getChildren().add(readOnly);
        }
        actions.getChildren().add(refresh);

        Label notice = Messages.status("configNotice", viewModel.noticeProperty());
        notice.getStyleClass().setAll("label", Styles.SUCCESS);
        VBox left = new VBox(8, actions, table, Messages.status("configStatus", viewModel.statusProperty()), notice);
        VBox.setVgrow(table, Priority.ALWAYS);
        SplitPane split = new SplitPane(left, editorPane);
        split.setDividerPositions(0.62);
        VBox.setVgrow(split, Priority.ALWAYS);
        Label empty = new Label(viewModel.isEditable() ? "Select an entry to edit it, or create a new one."
                : "Select an entry to see it.");
        empty.getStyleClass().add(Styles.TEXT_MUTED);
        editorPane.getChildren().setAll(empty);
        viewModel.editorProperty().addListener((o, a, editor) -> {
            if (editor == null) {
                table.getSelectionModel().clearSelection();
                editorPane.getChildren().setAll(empty);
            } else {
                editorPane.getChildren().setAll(new EntryEditorView(editor, () -> {
                    if (mayDiscard(editor)) {
                        viewModel.closeEditor();
                    }
                }));
            }
        });
        getChildren().addAll(toolbar, Messages.error("configMessage", viewModel.messageProperty()), split);
    }

    /** True when there is no unsaved edit, or the operator agrees to lose it. */
    private boolean mayDiscard(EntryEditorViewModel editor) {
        if (editor == null || !editor.isDirty()) {
            return true;
        }
        ButtonType discard = new ButtonType("Discard changes", ButtonBar.ButtonData.OK_DONE);
        ButtonType keep = new ButtonType("Keep editing", ButtonBar.ButtonData.CANCEL_CLOSE);
        Alert alert = new Alert(Alert.AlertType.CONFIRMATION, editor.title() + " has changes that are not saved.",
                discard, keep);
        alert.setHeaderText("Discard your unsaved changes?");
        alert.initOwner(getScene().getWindow());
        return alert.showAndWait().filter(b -> b == discard).isPresent();
    }

    private void confirmDelete(DraftItem item) {
        if (item == null) {
            return;
        }
        ButtonType delete = new ButtonType("Delete from draft", ButtonBar.ButtonData.OK_DONE);
        Alert alert = new Alert(Alert.AlertType.CONFIRMATION,
                "Delete " + viewModel.form().singular() + " '" + item.key() + "' from the draft? Agents keep it until "
                        + "the next publish.", delete, ButtonType.CANCEL);
        alert.setHeaderText("Delete '" + item.key() + "'?");
        alert.initOwner(getScene().getWindow());
        alert.showAndWait().filter(b -> b == delete).ifPresent(b -> viewModel.delete(item));
    }
}

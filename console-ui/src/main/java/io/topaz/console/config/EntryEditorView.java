package io.topaz.console.config;

import atlantafx.base.theme.Styles;
import io.topaz.console.common.Messages;
import javafx.beans.property.StringProperty;
import javafx.collections.ListChangeListener;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TextField;
import javafx.scene.control.TextInputControl;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/**
 * The editor of one entry: a label, an input and, beneath the input, the error for that field. A viewer gets the same
 * fields read-only and no save button.
 */
public final class EntryEditorView extends VBox {

    private final EntryEditorViewModel viewModel;
    private final VBox upstreamRows = new VBox(6);

    public EntryEditorView(EntryEditorViewModel viewModel, Runnable onClose) {
        this.viewModel = viewModel;
        setId("editor");
        getStyleClass().add("editor");
        Label title = new Label(viewModel.title());
        title.setId("editorTitle");
        title.getStyleClass().add("editor-title");

        VBox fields = new VBox(10);
        for (FieldInput in : viewModel.inputs()) {
            fields.getChildren().add(field(in));
        }
        ScrollPane scroll = new ScrollPane(fields);
        scroll.setFitToWidth(true);
        VBox.setVgrow(scroll, Priority.ALWAYS);

        HBox buttons = new HBox(8);
        if (viewModel.isEditable()) {
            Button save = new Button(viewModel.isNew() ? "Create" : "Save");
            save.setId("save");
            save.setDefaultButton(true);
            save.getStyleClass().add(Styles.ACCENT);
            save.disableProperty().bind(viewModel.busyProperty());
            save.setOnAction(e -> viewModel.save());
            buttons.getChildren().add(save);
        } else {
            Label readOnly = new Label("Read-only: your role may not edit " + viewModel.form().title().toLowerCase());
            readOnly.getStyleClass().add(Styles.TEXT_MUTED);
            buttons.getChildren().add(readOnly);
        }
        Button close = new Button(viewModel.isEditable() ? "Cancel" : "Close");
        close.setId("closeEditor");
        close.setCancelButton(true);
        close.setOnAction(e -> onClose.run());
        buttons.getChildren().add(close);

        getChildren().addAll(title, Messages.error("editorMessage", viewModel.messageProperty()), scroll, buttons);
    }

    private Node field(FieldInput in) {
        FieldSpec spec = in.spec();
        Label label = new Label(spec.label());
        label.getStyleClass().add(Styles.TEXT_BOLD);
        Node input = switch (spec.type()) {
            case FLAG -> {
                CheckBox box = new CheckBox();
                box.selectedProperty().bindBidirectional(in.flagProperty());
                box.setDisable(!in.isEditable());
                yield box;
            }
            case CHOICE -> {
                ComboBox<String> combo = new ComboBox<>();
                combo.getItems().addAll(spec.choices());
                combo.valueProperty().bindBidirectional(in.textProperty());
                combo.setDisable(!in.isEditable());
                combo.setMaxWidth(Double.MAX_VALUE);
                markOnError(combo, in.errorProperty());
                yield combo;
            }
            case UPSTREAMS -> upstreams(in);
            default -> {
                TextField text = new TextField();
                text.textProperty().bindBidirectional(in.textProperty());
                text.setPromptText(spec.hint());
                text.setEditable(in.isEditable());
                markOnError(text, in.errorProperty());
                yield text;
            }
        };
        input.setId("field-" + spec.name());
        Label error = Messages.error("error-" + spec.name(), in.errorProperty());
        error.getStyleClass().add("field-error");
        VBox box = new VBox(3, label, input, error);
        if (!spec.hint().isEmpty() && spec.type() != FieldType.TEXT && spec.type() != FieldType.WHOLE_NUMBER
                && spec.type() != FieldType.DECIMAL && spec.type() != FieldType.TEXT_LIST) {
            Label hint = new Label(spec.hint());
            hint.getStyleClass().addAll(Styles.TEXT_MUTED, Styles.TEXT_SMALL);
            box.getChildren().add(2, hint);
        }
        return box;
    }

    private Node upstreams(FieldInput in) {
        VBox box = new VBox(6, upstreamRows);
        if (in.isEditable()) {
            Button add = new Button("Add upstream");
            add.setId("addUpstream");
            add.getStyleClass().add(Styles.SMALL);
            add.setOnAction(e -> viewModel.addUpstream());
            box.getChildren().add(add);
        }
        viewModel.upstreams().addListener((ListChangeListener<UpstreamInput>) c -> drawUpstreams(in.isEditable()));
        drawUpstreams(in.isEditable());
        return box;
    }

    private void drawUpstreams(boolean editable) {
        upstreamRows.getChildren().clear();
        int i = 0;
        for (UpstreamInput u : viewModel.upstreams()) {
            TextField url = new TextField();
            url.setId("upstream-url-" + i);
            url.setPromptText("http://host:port/path");
            url.textProperty().bindBidirectional(u.urlProperty());
            url.setEditable(editable);
            markOnError(url, u.urlErrorProperty());
            HBox.setHgrow(url, Priority.ALWAYS);
            TextField weight = new TextField();
            weight.setId("upstream-weight-" + i);
            weight.setPromptText("weight 100");
            weight.setPrefColumnCount(6);
            weight.textProperty().bindBidirectional(u.weightProperty());
            weight.setEditable(editable);
            markOnError(weight, u.weightErrorProperty());
            HBox row = new HBox(6, url, weight);
            if (editable) {
                Button remove = new Button("Remove");
                remove.getStyleClass().addAll(Styles.SMALL, Styles.FLAT);
                remove.setOnAction(e -> viewModel.removeUpstream(u));
                row.getChildren().add(remove);
            }
            Label urlError = Messages.error("error-upstreams-" + i + "-url", u.urlErrorProperty());
            Label weightError = Messages.error("error-upstreams-" + i + "-weight", u.weightErrorProperty());
            urlError.getStyleClass().add("field-error");
            weightError.getStyleClass().add("field-error");
            upstreamRows.getChildren().add(new VBox(2, row, urlError, weightError));
            i++;
        }
    }

    private static void markOnError(Node input, StringProperty error) {
        Runnable apply = () -> input.pseudoClassStateChanged(Styles.STATE_DANGER, !error.get().isEmpty());
        error.addListener((o, a, b) -> apply.run());
        apply.run();
        if (input instanceof TextInputControl t) {
            t.setMaxWidth(Double.MAX_VALUE);
        }
    }
}

package io.topaz.console.config;

import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/**
 * One field of the editor: its text (or flag) and the error shown beside it. Changing the input clears the error, since
 * it described the value that was refused.
 */
public final class FieldInput {

    private final FieldSpec spec;
    private final StringProperty text = new SimpleStringProperty("");
    private final BooleanProperty flag = new SimpleBooleanProperty(false);
    private final StringProperty error = new SimpleStringProperty("");
    private final boolean editable;

    FieldInput(FieldSpec spec, boolean editable) {
        this.spec = spec;
        this.editable = editable;
        text.addListener((o, a, b) -> error.set(""));
        flag.addListener((o, a, b) -> error.set(""));
    }

    public FieldSpec spec() {
        return spec;
    }

    public StringProperty textProperty() {
        return text;
    }

    /** For {@link FieldType#FLAG} fields. */
    public BooleanProperty flagProperty() {
        return flag;
    }

    /** The problem with this field's value, empty when none; the control plane's own words after a refused save. */
    public StringProperty errorProperty() {
        return error;
    }

    /** False for the key of an existing entry: the control plane does not rename. */
    public boolean isEditable() {
        return editable;
    }
}

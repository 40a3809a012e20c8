package io.topaz.console.common;

import atlantafx.base.theme.Styles;
import javafx.beans.value.ObservableStringValue;
import javafx.scene.control.Label;

/** Labels bound to a view-model's message: they take no space while the message is empty. */
public final class Messages {

    private Messages() {
    }

    /** A red message, e.g. a refused save or a 403. */
    public static Label error(String id, ObservableStringValue text) {
        Label l = bound(id, text);
        l.getStyleClass().addAll(Styles.DANGER, "message-error");
        return l;
    }

    /** A neutral status line. */
    public static Label status(String id, ObservableStringValue text) {
        Label l = bound(id, text);
        l.getStyleClass().addAll(Styles.TEXT_MUTED, "message-status");
        return l;
    }

    private static Label bound(String id, ObservableStringValue text) {
        Label l = new Label();
        l.setId(id);
        l.setWrapText(true);
        l.textProperty().bind(text);
        l.visibleProperty().bind(l.textProperty().isNotEmpty());
        l.managedProperty().bind(l.visibleProperty());
        return l;
    }
}

package io.topaz.console.common;

import javafx.beans.value.ObservableValue;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;

/** The top line of a screen that shows live state: its title, a one-line summary, and Refresh on the right. */
public final class ScreenHeader {

    private ScreenHeader() {
    }

    /**
     * @param summaryId the summary label's id (tests look it up)
     */
    public static HBox withSummary(String title, String summaryId, ObservableValue<String> summary, Runnable refresh) {
        Label titleLabel = new Label(title);
        titleLabel.getStyleClass().add("screen-title");
        Label summaryLabel = new Label();
        summaryLabel.setId(summaryId);
        summaryLabel.textProperty().bind(summary);
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        Button refreshButton = new Button("Refresh");
        refreshButton.setOnAction(e -> refresh.run());
        HBox header = new HBox(12, titleLabel, summaryLabel, spacer, refreshButton);
        header.setAlignment(Pos.BASELINE_LEFT);
        return header;
    }
}

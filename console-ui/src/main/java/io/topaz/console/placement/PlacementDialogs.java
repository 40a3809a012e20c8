package io.topaz.console.placement;

import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.VBox;

import java.util.List;
import java.util.Optional;

/** The Placement screen's dialogs: the confirmation of a config change with its release message, pin and split. */
final class PlacementDialogs {

    /** What the pin dialog asks: the seller and the cluster its group goes to. */
    record PinInput(String sellerId, String cluster) {
    }

    /** What the split dialog asks: the bucket to split at and the new group's name (blank: the default). */
    record SplitInput(String at, String name) {
    }

    private PlacementDialogs() {
    }

    /** Shows the plan's edits (and what else ships with them) and asks for a release message; empty if cancelled. */
    static Optional<String> confirm(Node owner, ConfigPlan plan) {
        Dialog<String> d = dialog(owner, "Publish: " + plan.action() + "?");
        ButtonType publish = new ButtonType("Publish", ButtonBar.ButtonData.OK_DONE);
        d.getDialogPane().getButtonTypes().setAll(publish, ButtonType.CANCEL);
        TextArea changes = new TextArea(plan.describe());
        changes.setId("placementPlan");
        changes.setEditable(false);
        changes.setWrapText(true);
        changes.setPrefRowCount(Math.min(10, plan.edits().size() + plan.alsoInDraft().size() + 3));
        TextField message = new TextField(plan.action());
        message.setId("placementReleaseMessage");
        message.setPromptText("What does this release change, and why?");
        d.getDialogPane().lookupButton(publish).disableProperty().bind(message.textProperty().isEmpty());
        d.getDialogPane().setContent(new VBox(8, new Label("These draft edits are written and published as one "
                + "release to every agent:"), changes, new Label("Release message"), message));
        d.setResultConverter(b -> b == publish ? message.getText() : null);
        return d.showAndWait().filter(m -> !m.isBlank());
    }

    static Optional<PinInput> pin(Node owner, String group, List<String> hotSellers, String sellerId,
                                  List<String> clusters, String cluster) {
        Dialog<PinInput> d = dialog(owner, "Pin a hot seller into a seller group of its own");
        ButtonType next = new ButtonType("Review…", ButtonBar.ButtonData.OK_DONE);
        d.getDialogPane().getButtonTypes().setAll(next, ButtonType.CANCEL);
        ComboBox<String> seller = new ComboBox<>();
        seller.setId("pinSellerId");
        seller.setEditable(true);
        seller.getItems().setAll(hotSellers);
        seller.getEditor().setText(sellerId == null ? "" : sellerId);
        seller.setPromptText("TOP user id");
        ComboBox<String> to = new ComboBox<>();
        to.setId("pinCluster");
        to.getItems().setAll(clusters);
        to.setValue(cluster);
        GridPane grid = grid();
        grid.addRow(0, new Label("Seller (a hot seller of " + group + ", or type an id)"), seller);
        grid.addRow(1, new Label("Cluster of its new group"), to);
        d.getDialogPane().setContent(grid);
        d.setResultConverter(b -> b == next ? new PinInput(firstWord(seller.getEditor().getText()), to.getValue())
                : null);
        return d.showAndWait();
    }

    static Optional<SplitInput> split(Node owner, GroupRow group) {
        Dialog<SplitInput> d = dialog(owner, "Split " + group.group()
                + (group.bucketFrom() == null ? "" : " " + group.range()));
        ButtonType next = new ButtonType("Review…", ButtonBar.ButtonData.OK_DONE);
        d.getDialogPane().getButtonTypes().setAll(next, ButtonType.CANCEL);
        TextField at = new TextField(group.bucketFrom() == null || group.bucketTo() == null ? ""
                : String.valueOf((group.bucketFrom() + group.bucketTo()) / 2));
        at.setId("splitAt");
        TextField name = new TextField();
        name.setId("splitName");
        name.setPromptText(group.group() + "-<bucket>");
        GridPane grid = grid();
        grid.addRow(0, new Label("Split at bucket (" + group.group() + " keeps the buckets before it)"), at);
        grid.addRow(1, new Label("New group's name (it gets the rest, same cluster)"), name);
        d.getDialogPane().setContent(grid);
        d.setResultConverter(b -> b == next ? new SplitInput(at.getText().strip(), name.getText().strip()) : null);
        return d.showAndWait();
    }

    /** A hot seller offered as {@code 1001 shop-a 120.0 changes/s} is the id before the first space. */
    static String firstWord(String s) {
        String t = s == null ? "" : s.strip();
        int space = t.indexOf(' ');
        return space < 0 ? t : t.substring(0, space);
    }

    private static <T> Dialog<T> dialog(Node owner, String header) {
        Dialog<T> d = new Dialog<>();
        d.setTitle("Placement");
        d.setHeaderText(header);
        if (owner.getScene() != null) {
            d.initOwner(owner.getScene().getWindow());
        }
        return d;
    }

    private static GridPane grid() {
        GridPane grid = new GridPane();
        grid.setHgap(10);
        grid.setVgap(8);
        grid.setPadding(new Insets(6, 0, 0, 0));
        return grid;
    }
}

package io.topaz.console.traffic;

import atlantafx.base.theme.Styles;
import io.topaz.console.common.Messages;
import io.topaz.console.common.ScreenHeader;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.value.ObservableValue;
import javafx.collections.ListChangeListener;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

import java.util.Locale;
import java.util.function.Function;

/**
 * Traffic: one row per rule the agents report (kind, rule, passed/s, blocked/s, agents in Redis fallback) and a chart
 * of the selected rule's passed and blocked per second over the last polls.
 */
public final class TrafficView extends VBox {

    private final XYChart.Series<Number, Number> passedSeries = new XYChart.Series<>();
    private final XYChart.Series<Number, Number> blockedSeries = new XYChart.Series<>();
    private final TrafficViewModel viewModel;

    public TrafficView(TrafficViewModel viewModel) {
        this.viewModel = viewModel;
        getStyleClass().add("screen");
        setId("trafficScreen");
        HBox header = ScreenHeader.withSummary("Traffic", "trafficSummary", viewModel.summaryProperty(), viewModel::refresh);

        TableView<RuleRow> table = new TableView<>(viewModel.rules());
        table.setId("trafficTable");
        table.setPlaceholder(new Label("No agent reports a traffic-control rule yet."));
        table.getColumns().add(text("Kind", 90, RuleRow::kind));
        table.getColumns().add(text("Rule", 260, RuleRow::rule));
        table.getColumns().add(number("Passed/s", 110, RuleRow::passedPerSecondProperty));
        table.getColumns().add(number("Blocked/s", 110, RuleRow::blockedPerSecondProperty));
        TableColumn<RuleRow, Number> fallback = new TableColumn<>("Agents in fallback");
        fallback.setPrefWidth(170);
        fallback.setCellValueFactory(c -> c.getValue().agentsInFallbackProperty());
        fallback.setCellFactory(c -> new TableCell<>() {
            @Override
            protected void updateItem(Number n, boolean empty) {
                super.updateItem(n, empty);
                getStyleClass().remove("health-bad");
                setText(empty || n == null ? null : n.intValue() == 0 ? "none" : String.valueOf(n.intValue()));
                if (!empty && n != null && n.intValue() > 0) {
                    getStyleClass().add("health-bad");
                }
            }
        });
        table.getColumns().add(fallback);
        table.getSelectionModel().selectedItemProperty().addListener((o, a, row) -> {
            if (row != null) {
                viewModel.select(row);
            }
        });
        viewModel.rules().addListener((ListChangeListener<RuleRow>) c -> {
            RuleRow charted = viewModel.selectedProperty().get();
            if (charted != null && viewModel.rules().contains(charted)) {
                table.getSelectionModel().select(charted);
            } else if (!viewModel.rules().isEmpty()) {
                table.getSelectionModel().select(0);
            }
        });
        table.setPrefHeight(220);
        table.setMinHeight(140);
        VBox.setVgrow(table, Priority.SOMETIMES);

        NumberAxis x = new NumberAxis();
        x.setLabel("seconds ago");
        x.setForceZeroInRange(true);
        NumberAxis y = new NumberAxis();
        y.setLabel("per second");
        y.setForceZeroInRange(true);
        LineChart<Number, Number> chart = new LineChart<>(x, y);
        chart.setId("trafficChart");
        chart.setCreateSymbols(false);
        chart.setAnimated(false);
        chart.setPrefHeight(340);
        chart.setMinHeight(220);
        VBox.setVgrow(chart, Priority.ALWAYS);
        chart.titleProperty().bind(viewModel.chartTitleProperty());
        passedSeries.setName("passed/s");
        blockedSeries.setName("blocked/s");
        chart.getData().add(passedSeries);
        chart.getData().add(blockedSeries);
        viewModel.chart().addListener((ListChangeListener<ChartPoint>) c -> drawChart());

        Label note = new Label("The control plane scrapes every agent's /metrics (topaz_traffic_decisions_total, "
                + "topaz_traffic_fallback_active) every few seconds and sums them per rule. An agent in fallback cannot "
                + "reach Redis and decides on its local share of the limit.");
        note.getStyleClass().addAll(Styles.TEXT_MUTED, Styles.TEXT_SMALL);
        note.setWrapText(true);
        note.setMinHeight(Region.USE_PREF_SIZE);
        getChildren().addAll(header, Messages.error("trafficMessage", viewModel.messageProperty()), table, chart, note);
    }

    private void drawChart() {
        passedSeries.getData().clear();
        blockedSeries.getData().clear();
        for (ChartPoint p : viewModel.chart()) {
            passedSeries.getData().add(new XYChart.Data<>(p.secondsAgo(), p.passedPerSecond()));
            blockedSeries.getData().add(new XYChart.Data<>(p.secondsAgo(), p.blockedPerSecond()));
        }
    }

    private static TableColumn<RuleRow, String> text(String title, double width, Function<RuleRow, String> value) {
        TableColumn<RuleRow, String> c = new TableColumn<>(title);
        c.setPrefWidth(width);
        c.setCellValueFactory(cell -> new ReadOnlyObjectWrapper<>(value.apply(cell.getValue())));
        return c;
    }

    private static TableColumn<RuleRow, Number> number(String title, double width,
                                                       Function<RuleRow, ObservableValue<Number>> value) {
        TableColumn<RuleRow, Number> c = new TableColumn<>(title);
        c.setPrefWidth(width);
        c.setCellValueFactory(cell -> value.apply(cell.getValue()));
        c.setCellFactory(col -> new TableCell<>() {
            @Override
            protected void updateItem(Number n, boolean empty) {
                super.updateItem(n, empty);
                setText(empty || n == null ? null : String.format(Locale.ROOT, "%.1f", n.doubleValue()));
            }
        });
        c.setStyle("-fx-alignment: CENTER-RIGHT;");
        return c;
    }
}

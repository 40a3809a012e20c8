package io.topaz.console.fleet;

import atlantafx.base.theme.Styles;
import io.topaz.console.common.Messages;
import io.topaz.console.common.ScreenHeader;
import javafx.beans.binding.Bindings;
import javafx.collections.ListChangeListener;
import javafx.css.PseudoClass;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

import java.util.Locale;

/**
 * The fleet: one row per live agent, lagging agents highlighted, a sparkline per agent, and a chart of the selected
 * agent's calls and errors per second.
 */
public final class FleetView extends VBox {

    private static final PseudoClass LAGGING = PseudoClass.getPseudoClass("lagging");

    private final XYChart.Series<Number, Number> callSeries = new XYChart.Series<>();
    private final XYChart.Series<Number, Number> errorSeries = new XYChart.Series<>();
    private final LineChart<Number, Number> chart;
    private AgentRow charted;
    private final ListChangeListener<Double> redrawChart = c -> drawChart();

    public FleetView(FleetViewModel viewModel) {
        getStyleClass().add("screen");
        setId("fleetScreen");
        HBox header = ScreenHeader.withSummary("Fleet", "fleetSummary", viewModel.summaryProperty(), viewModel::refresh);

        TableView<AgentRow> table = new TableView<>(viewModel.agents());
        table.setId("fleetTable");
        table.setPlaceholder(new Label("No agent is registered with this control plane."));
        table.getColumns().add(column("Agent", 130, r -> Bindings.createStringBinding(r::id)));
        table.getColumns().add(column("Zone", 80, AgentRow::zoneProperty));
        table.getColumns().add(column("Cluster", 80, AgentRow::clusterProperty));
        table.getColumns().add(column("Admin address", 140, AgentRow::addressProperty));
        table.getColumns().add(column("Applied release", 120, AgentRow::releaseProperty));
        TableColumn<AgentRow, AgentHealth> health = new TableColumn<>("Health");
        health.setPrefWidth(150);
        health.setCellValueFactory(c -> c.getValue().healthProperty());
        health.setCellFactory(c -> new TableCell<>() {
            @Override
            protected void updateItem(AgentHealth h, boolean empty) {
                super.updateItem(h, empty);
                getStyleClass().removeAll("health-up", "health-bad");
                setText(empty || h == null ? null : h.label());
                if (!empty && h != null && h != AgentHealth.UNKNOWN) {
                    getStyleClass().add(h == AgentHealth.UP ? "health-up" : "health-bad");
                }
            }
        });
        table.getColumns().add(health);
        TableColumn<AgentRow, AgentRow> traffic = new TableColumn<>("Calls/s · errors/s");
        traffic.setPrefWidth(260);
        traffic.setCellValueFactory(c -> new javafx.beans.property.ReadOnlyObjectWrapper<>(c.getValue()));
        traffic.setCellFactory(c -> new TableCell<>() {
            @Override
            protected void updateItem(AgentRow row, boolean empty) {
                super.updateItem(row, empty);
                if (empty || row == null) {
                    setGraphic(null);
                    setText(null);
                    return;
                }
                Label now = new Label();
                now.textProperty().bind(Bindings.createStringBinding(() -> String.format(Locale.ROOT, "%.0f · %.0f",
                        row.traffic().latestCalls(), row.traffic().latestErrors()), row.traffic().calls()));
                now.setMinWidth(60);
                HBox graphic = new HBox(8, new Sparkline(row.traffic()), now);
                graphic.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
                setGraphic(graphic);
            }
        });
        table.getColumns().add(traffic);
        table.setRowFactory(t -> new TableRow<>() {
            private AgentRow watched;
            private final javafx.beans.value.ChangeListener<Boolean> lagging =
                    (o, a, b) -> pseudoClassStateChanged(LAGGING, b);

            @Override
            protected void updateItem(AgentRow row, boolean empty) {
                super.updateItem(row, empty);
                if (watched != null) {
                    watched.laggingProperty().removeListener(lagging);
                }
                watched = empty ? null : row;
                if (watched != null) {
                    watched.laggingProperty().addListener(lagging);
                }
                pseudoClassStateChanged(LAGGING, watched != null && watched.laggingProperty().get());
            }
        });
        VBox.setVgrow(table, Priority.ALWAYS);

        NumberAxis x = new NumberAxis();
        x.setLabel("polls ago");
        x.setAutoRanging(false);
        x.setLowerBound(-(TrafficSeries.POINTS - 1));
        x.setUpperBound(0);
        x.setTickUnit(10);
        NumberAxis y = new NumberAxis();
        y.setLabel("per second");
        y.setForceZeroInRange(true);
        chart = new LineChart<>(x, y);
        chart.setId("trafficChart");
        chart.setCreateSymbols(false);
        chart.setAnimated(false);
        chart.setPrefHeight(220);
        chart.setMinHeight(180);
        callSeries.setName("calls/s");
        errorSeries.setName("errors/s");
        chart.getData().add(callSeries);
        chart.getData().add(errorSeries);
        chart.setTitle("Select an agent to chart its gateway calls and errors");

        table.getSelectionModel().selectedItemProperty().addListener((o, a, row) -> chart(row));
        viewModel.agents().addListener((ListChangeListener<AgentRow>) c -> {
            if (table.getSelectionModel().getSelectedItem() == null && !viewModel.agents().isEmpty()) {
                table.getSelectionModel().select(0);
            }
        });
        Label note = new Label("Gateway calls and errors per second and health come from the control plane, which polls "
                + "each agent's /metrics (topaz_gateway_requests_total, topaz_gateway_errors_total, "
                + "topaz_zookeeper_connected); the line is flat while an agent's gateway counts no calls.");
        note.getStyleClass().addAll(Styles.TEXT_MUTED, Styles.TEXT_SMALL);
        note.setWrapText(true);
        getChildren().addAll(header, Messages.error("fleetMessage", viewModel.messageProperty()), table, chart, note);
    }

    private void chart(AgentRow row) {
        if (charted != null) {
            charted.traffic().calls().removeListener(redrawChart);
            charted.traffic().errors().removeListener(redrawChart);
        }
        charted = row;
        if (row != null) {
            row.traffic().calls().addListener(redrawChart);
            row.traffic().errors().addListener(redrawChart);
            chart.setTitle("Gateway calls and errors per second · " + row.id());
        }
        drawChart();
    }

    private void drawChart() {
        callSeries.getData().clear();
        errorSeries.getData().clear();
        if (charted == null) {
            return;
        }
        var calls = charted.traffic().calls();
        var errors = charted.traffic().errors();
        for (int i = 0; i < calls.size(); i++) {
            callSeries.getData().add(new XYChart.Data<>(i - calls.size() + 1, calls.get(i)));
        }
        for (int i = 0; i < errors.size(); i++) {
            errorSeries.getData().add(new XYChart.Data<>(i - errors.size() + 1, errors.get(i)));
        }
    }

    private static TableColumn<AgentRow, String> column(String title, double width,
                                                        java.util.function.Function<AgentRow, javafx.beans.value.ObservableValue<String>> value) {
        TableColumn<AgentRow, String> c = new TableColumn<>(title);
        c.setPrefWidth(width);
        c.setCellValueFactory(cell -> value.apply(cell.getValue()));
        return c;
    }
}

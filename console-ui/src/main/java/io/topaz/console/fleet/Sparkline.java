package io.topaz.console.fleet;

import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.scene.layout.Pane;
import javafx.scene.shape.Polyline;

/**
 * A small line of an agent's calls and errors per second, both on the calls' scale, newest on the right. Flat at the
 * bottom while the agent serves no gateway counters.
 */
final class Sparkline extends Pane {

    private static final double WIDTH = 160;
    private static final double HEIGHT = 26;

    private final Polyline calls = new Polyline();
    private final Polyline errors = new Polyline();
    private final ObservableList<Double> callPoints;
    private final ObservableList<Double> errorPoints;

    Sparkline(TrafficSeries series) {
        this.callPoints = series.calls();
        this.errorPoints = series.errors();
        calls.getStyleClass().add("sparkline-calls");
        errors.getStyleClass().add("sparkline-errors");
        getChildren().addAll(calls, errors);
        setMinSize(WIDTH, HEIGHT);
        setPrefSize(WIDTH, HEIGHT);
        setMaxSize(WIDTH, HEIGHT);
        ListChangeListener<Double> redraw = c -> draw();
        callPoints.addListener(redraw);
        errorPoints.addListener(redraw);
        draw();
    }

    private void draw() {
        double max = 1;
        for (Double d : callPoints) {
            max = Math.max(max, d);
        }
        for (Double d : errorPoints) {
            max = Math.max(max, d);
        }
        plot(calls, callPoints, max);
        plot(errors, errorPoints, max);
    }

    private static void plot(Polyline line, ObservableList<Double> points, double max) {
        line.getPoints().clear();
        double step = WIDTH / (TrafficSeries.POINTS - 1);
        double x = WIDTH - step * (points.size() - 1);
        if (points.size() == 1) {
            x = 0;
            line.getPoints().addAll(0.0, y(points.get(0), max), WIDTH, y(points.get(0), max));
            return;
        }
        for (Double p : points) {
            line.getPoints().addAll(x, y(p, max));
            x += step;
        }
    }

    private static double y(double value, double max) {
        return HEIGHT - 2 - (value / max) * (HEIGHT - 4);
    }
}

package io.topaz.console.messages;

import io.topaz.console.controlplane.MessageQueues;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleLongProperty;

/**
 * One app's line on the Messages screen, updated in place at each refresh so a selection survives it. Rates are NaN
 * until two answers have been compared.
 */
public final class AppRow {

    private final String app;
    private final IntegerProperty queues = new SimpleIntegerProperty();
    private final LongProperty backlog = new SimpleLongProperty();
    private final LongProperty inFlight = new SimpleLongProperty();
    private final LongProperty oldestUnconfirmedAgeMillis = new SimpleLongProperty();
    private final DoubleProperty redeliveredPerSecond = new SimpleDoubleProperty(Double.NaN);
    private final DoubleProperty deadLetteredPerSecond = new SimpleDoubleProperty(Double.NaN);
    private final LongProperty deadLetters = new SimpleLongProperty();

    AppRow(String app) {
        this.app = app;
    }

    void update(MessageQueues.AppTotals t, QueueRates.Rates rates) {
        queues.set(t.queues());
        backlog.set(t.backlog());
        inFlight.set(t.inFlight());
        oldestUnconfirmedAgeMillis.set(t.oldestUnconfirmedAgeMillis());
        deadLetters.set(t.deadLetters());
        redeliveredPerSecond.set(rates == null ? Double.NaN : rates.redeliveredPerSecond());
        deadLetteredPerSecond.set(rates == null ? Double.NaN : rates.deadLetteredPerSecond());
    }

    public String app() {
        return app;
    }

    public IntegerProperty queuesProperty() {
        return queues;
    }

    public LongProperty backlogProperty() {
        return backlog;
    }

    public LongProperty inFlightProperty() {
        return inFlight;
    }

    public LongProperty oldestUnconfirmedAgeMillisProperty() {
        return oldestUnconfirmedAgeMillis;
    }

    public DoubleProperty redeliveredPerSecondProperty() {
        return redeliveredPerSecond;
    }

    public DoubleProperty deadLetteredPerSecondProperty() {
        return deadLetteredPerSecond;
    }

    public LongProperty deadLettersProperty() {
        return deadLetters;
    }

    @Override
    public String toString() {
        return "AppRow[" + app + "]";
    }
}

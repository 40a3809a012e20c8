package io.topaz.console.config;

import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/** One upstream row of an API's editor: URL and weight, each with the error shown beside it. */
public final class UpstreamInput {

    private final StringProperty url = new SimpleStringProperty("");
    private final StringProperty weight = new SimpleStringProperty("");
    private final StringProperty urlError = new SimpleStringProperty("");
    private final StringProperty weightError = new SimpleStringProperty("");

    UpstreamInput(String url, String weight) {
        this.url.set(url);
        this.weight.set(weight);
        this.url.addListener((o, a, b) -> urlError.set(""));
        this.weight.addListener((o, a, b) -> weightError.set(""));
    }

    public StringProperty urlProperty() {
        return url;
    }

    public StringProperty weightProperty() {
        return weight;
    }

    public StringProperty urlErrorProperty() {
        return urlError;
    }

    public StringProperty weightErrorProperty() {
        return weightError;
    }
}

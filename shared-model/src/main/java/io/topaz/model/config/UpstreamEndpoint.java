package io.topaz.model.config;

import io.topaz.model.validation.Checks;
import io.topaz.model.validation.FieldError;

import java.util.List;

/**
 * One instance of an upstream service: a base URL ({@code http://host:port/path}) and a relative weight for
 * weighted round-robin. A weight of 0 drains the instance without removing it.
 */
public record UpstreamEndpoint(String url, Integer weight) {

    public static final int DEFAULT_WEIGHT = 100;
    public static final int MAX_WEIGHT = 10_000;

    public UpstreamEndpoint {
        weight = weight == null ? DEFAULT_WEIGHT : weight;
    }

    List<FieldError> validate(String prefix) {
        Checks c = new Checks();
        c.httpUrl(prefix + ".url", url);
        c.range(prefix + ".weight", weight, 0, MAX_WEIGHT);
        return c.errors();
    }
}

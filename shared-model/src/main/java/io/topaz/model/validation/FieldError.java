package io.topaz.model.validation;

/**
 * One broken rule: the field (a JSON path such as {@code upstreams[0].weight}), the value found and the rule.
 *
 * @param value the offending value as text, {@code null} when the field was missing
 */
public record FieldError(String field, String value, String rule) {

    /** A sentence such as {@code timeoutMillis must be between 1 and 120000, was -5}. */
    public String message() {
        return field + " " + rule + (value == null ? "" : ", was " + value);
    }
}

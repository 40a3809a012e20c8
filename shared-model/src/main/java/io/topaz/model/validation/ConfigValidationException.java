package io.topaz.model.validation;

import java.util.List;

/** Thrown when input breaks one or more rules; carries every broken rule, not just the first. */
public final class ConfigValidationException extends RuntimeException {

    private final List<FieldError> errors;

    public ConfigValidationException(String subject, List<FieldError> errors) {
        super(subject + ": " + String.join("; ", errors.stream().map(FieldError::message).toList()));
        this.errors = List.copyOf(errors);
    }

    public List<FieldError> errors() {
        return errors;
    }
}

package io.topaz.control.web;

import io.topaz.model.validation.FieldError;

import java.util.List;

/**
 * The body of every error the REST API returns: the HTTP status, a sentence saying what was wrong and what to do, and
 * for validation failures each field with its value and the rule it broke. Never a stack trace.
 */
public record ApiError(int status, String error, String message, List<FieldErrorView> errors) {

    public record FieldErrorView(String field, String value, String rule, String message) {
        static FieldErrorView of(FieldError e) {
            return new FieldErrorView(e.field(), e.value(), e.rule(), e.message());
        }
    }

    public static ApiError of(int status, String error, String message) {
        return new ApiError(status, error, message, List.of());
    }

    public static ApiError validation(String message, List<FieldError> errors) {
        return new ApiError(400, "Bad Request", message, errors.stream().map(FieldErrorView::of).toList());
    }
}

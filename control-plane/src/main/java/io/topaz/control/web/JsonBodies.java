package io.topaz.control.web;

import io.topaz.model.json.Json;
import io.topaz.model.validation.ConfigValidationException;
import io.topaz.model.validation.FieldError;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

import java.util.List;

/**
 * Reads request bodies with the strict mapper and turns every JSON problem into a field error: a wrong type, an
 * unknown field, a value that is not one of an enum's names, or text that is not JSON at all.
 */
public final class JsonBodies {

    private JsonBodies() {
    }

    public static <T> T read(byte[] body, Class<T> type, String subject) {
        if (body == null || body.length == 0) {
            throw new ConfigValidationException(subject, List.of(new FieldError("body", null, "is required (a JSON object)")));
        }
        try {
            T value = Json.strict().readValue(body, type);
            if (value == null) {
                throw new ConfigValidationException(subject, List.of(new FieldError("body", "null", "must be a JSON object")));
            }
            return value;
        } catch (JacksonException e) {
            throw new ConfigValidationException(subject, List.of(errorOf(e)));
        }
    }

    /**
     * The field error a JSON problem makes: an unknown field (with the known ones), a value that is not one of an
     * enum's names (with the allowed ones), a wrong type, or text that is not JSON at all ({@code body}).
     */
    public static FieldError errorOf(JacksonException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            return new FieldError(path(u), u.getPropertyName(), "is not a known field; known fields: " + u.getKnownPropertyIds());
        }
        String field = path(e);
        if (e instanceof InvalidFormatException f) {
            Class<?> target = f.getTargetType();
            if (target != null && target.isEnum()) {
                // Jackson's own message names the Java type; the caller needs the values it may send.
                String allowed = java.util.Arrays.stream(target.getEnumConstants()).map(Object::toString)
                        .collect(java.util.stream.Collectors.joining(", "));
                return new FieldError(field.isEmpty() ? "body" : field, String.valueOf(f.getValue()), "must be one of " + allowed);
            }
        }
        return new FieldError(field.isEmpty() ? "body" : field, null, "could not be read: " + firstLine(e.getOriginalMessage()));
    }

    static String path(JacksonException e) {
        StringBuilder sb = new StringBuilder();
        for (JacksonException.Reference ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "invalid JSON";
        }
        int nl = message.indexOf('\n');
        String line = nl < 0 ? message : message.substring(0, nl);
        // Jackson names our Java types; operators think in JSON.
        return line.replaceAll("`[a-z]+(\\.[a-zA-Z0-9_$]+)+`", "this field's type");
    }
}

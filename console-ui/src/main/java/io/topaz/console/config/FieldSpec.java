package io.topaz.console.config;

import java.util.List;

/**
 * One field of an entry's form.
 *
 * @param name    the JSON property, as the control plane names it in its errors
 * @param choices the allowed names, for {@link FieldType#CHOICE}
 * @param hint    shown as the input's prompt: the format or the default
 */
public record FieldSpec(String name, String label, FieldType type, List<String> choices, String hint) {

    public FieldSpec {
        choices = choices == null ? List.of() : List.copyOf(choices);
        hint = hint == null ? "" : hint;
    }

    static FieldSpec text(String name, String label, String hint) {
        return new FieldSpec(name, label, FieldType.TEXT, List.of(), hint);
    }

    static FieldSpec number(String name, String label, String hint) {
        return new FieldSpec(name, label, FieldType.WHOLE_NUMBER, List.of(), hint);
    }

    static FieldSpec choice(String name, String label, Enum<?>[] values) {
        return new FieldSpec(name, label, FieldType.CHOICE, java.util.Arrays.stream(values).map(Enum::name).toList(), "");
    }
}

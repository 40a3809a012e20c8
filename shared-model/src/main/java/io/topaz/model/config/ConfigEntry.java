package io.topaz.model.config;

import io.topaz.model.validation.FieldError;

import java.util.List;

/**
 * One item of config: an API definition, an app, a rule. Every entry is an immutable record with a key that is
 * unique within its {@link ConfigKind} and a validation that names each broken field.
 */
public interface ConfigEntry {

    /** The key that identifies this entry within its kind (an API's method name, an app's app key, a rule's id). */
    String key();

    /** Every rule this entry breaks, each naming the field, the value and the rule; empty when valid. */
    List<FieldError> validate();
}

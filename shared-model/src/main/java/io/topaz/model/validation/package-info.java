/**
 * Validation that names the field, the value and the rule broken: per entry through
 * {@link io.topaz.model.validation.Checks}, across entries at publish time through
 * {@link io.topaz.model.validation.ReleaseValidator}.
 */
package io.topaz.model.validation;

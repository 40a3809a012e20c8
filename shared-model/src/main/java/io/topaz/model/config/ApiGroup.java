package io.topaz.model.config;

import io.topaz.model.validation.Checks;
import io.topaz.model.validation.FieldError;

import java.util.List;

/**
 * An API group's priority tier (APIs name their group; apps are allowed groups). A group without an entry is
 * {@link Tier#NORMAL}.
 */
public record ApiGroup(String name, Tier tier, String description) implements ConfigEntry {

    public ApiGroup {
        description = description == null ? "" : description;
    }

    @Override
    public String key() {
        return name;
    }

    @Override
    public List<FieldError> validate() {
        Checks c = new Checks();
        c.identifier("name", name);
        c.required("tier", tier);
        c.maxLength("description", description, 500);
        return c.errors();
    }
}

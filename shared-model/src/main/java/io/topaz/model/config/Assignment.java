package io.topaz.model.config;

import io.topaz.model.validation.Checks;
import io.topaz.model.validation.FieldError;

import java.util.List;

/** Which agent cluster serves a seller group. A seller group has exactly one assignment, so the key is the group. */
public record Assignment(String sellerGroup, String cluster) implements ConfigEntry {

    @Override
    public String key() {
        return sellerGroup;
    }

    @Override
    public List<FieldError> validate() {
        Checks c = new Checks();
        c.identifier("sellerGroup", sellerGroup);
        c.identifier("cluster", cluster);
        return c.errors();
    }
}

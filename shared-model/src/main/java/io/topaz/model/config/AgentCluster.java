package io.topaz.model.config;

import io.topaz.model.validation.Checks;
import io.topaz.model.validation.FieldError;

import java.util.List;

/** A named set of agents in one zone; agents join a cluster by naming it at start. */
public record AgentCluster(String name, String zone, String description) implements ConfigEntry {

    public AgentCluster {
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
        c.identifier("zone", zone);
        c.maxLength("description", description, 500);
        return c.errors();
    }
}

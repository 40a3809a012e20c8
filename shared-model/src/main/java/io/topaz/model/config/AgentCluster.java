package io.topaz.model.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.topaz.model.validation.Checks;
import io.topaz.model.validation.FieldError;

import java.util.List;

/**
 * A named set of agents that may span several zones (data centers); agents join a cluster by naming it at start and
 * carry their zone label. Which agent of the cluster serves a seller group is runtime state (the control plane's
 * leader places groups on live agents, spreading them across {@link #zones}); which cluster serves a group is config
 * ({@link Assignment}).
 *
 * @param zones           the zones the cluster expects its agents in (at least one); an agent of another zone may
 *                        still join, and is reported
 * @param syncConnections the cluster's database connection budget towards each sync target: the pools all of the
 *                        cluster's agents hold towards one target never sum to more (default 8)
 */
public record AgentCluster(String name, List<String> zones, Integer syncConnections, String description)
        implements ConfigEntry {

    public static final int DEFAULT_SYNC_CONNECTIONS = 8;

    public AgentCluster {
        zones = zones == null ? List.of() : List.copyOf(zones);
        syncConnections = syncConnections == null ? DEFAULT_SYNC_CONNECTIONS : syncConnections;
        description = description == null ? "" : description;
    }

    /** A cluster in one zone, with the default connection budget. */
    public AgentCluster(String name, String zone, String description) {
        this(name, zone == null ? null : List.of(zone), null, description);
    }

    /**
     * Reads both shapes: {@code zones} (this one) and the single {@code zone} of releases written before clusters
     * spanned zones, so those releases still decode and can be rolled back to.
     */
    @JsonCreator
    static AgentCluster decode(@JsonProperty("name") String name, @JsonProperty("zones") List<String> zones,
                               @JsonProperty("zone") String zone,
                               @JsonProperty("syncConnections") Integer syncConnections,
                               @JsonProperty("description") String description) {
        List<String> z = zones != null ? zones : zone != null ? List.of(zone) : null;
        return new AgentCluster(name, z, syncConnections, description);
    }

    @Override
    public String key() {
        return name;
    }

    /** Whether the cluster expects agents in {@code zone}. */
    public boolean expects(String zone) {
        return zones.contains(zone);
    }

    @Override
    public List<FieldError> validate() {
        Checks c = new Checks();
        c.identifier("name", name);
        c.notEmpty("zones", zones);
        c.distinct("zones", zones);
        for (int i = 0; i < zones.size(); i++) {
            c.identifier("zones[" + i + "]", zones.get(i));
        }
        c.range("syncConnections", syncConnections, 1, 1_000);
        c.maxLength("description", description, 500);
        return c.errors();
    }
}

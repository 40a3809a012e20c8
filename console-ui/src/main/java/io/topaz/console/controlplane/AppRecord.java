package io.topaz.console.controlplane;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;

/** An app as the control plane lists it: never a secret. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AppRecord(String appKey, String name, String owner, String status, List<String> allowedApiGroups,
                        Long previousSecretRetireAt, long version, long createdAt, long updatedAt) {

    public AppRecord {
        allowedApiGroups = allowedApiGroups == null ? List.of() : List.copyOf(allowedApiGroups);
    }

    public boolean active() {
        return "ACTIVE".equals(status);
    }
}

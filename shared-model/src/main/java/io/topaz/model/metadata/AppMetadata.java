package io.topaz.model.metadata;

import io.topaz.model.config.AppStatus;

import java.util.List;

/**
 * What an agent needs to know about an app to check a call: its status, the API groups it may call and its secrets.
 * The control plane's metadata endpoint serves it to agents; it is never shown to operators with its secrets.
 *
 * @param version grows with every change of the app; caches keep the highest version they have seen
 */
public record AppMetadata(String appKey, String name, String owner, AppStatus status, List<String> allowedApiGroups,
                          List<AppSecret> secrets, long version, long updatedAtMillis) {

    public AppMetadata {
        allowedApiGroups = allowedApiGroups == null ? List.of() : List.copyOf(allowedApiGroups);
        secrets = secrets == null ? List.of() : List.copyOf(secrets);
    }

    public boolean active() {
        return status == AppStatus.ACTIVE;
    }

    public boolean mayCall(String apiGroup) {
        return allowedApiGroups.contains(apiGroup);
    }

    /** The secrets a signature may be checked against at this moment: the current one and any not yet retired. */
    public List<String> secretsAcceptedAt(long nowMillis) {
        return secrets.stream().filter(s -> s.acceptedAt(nowMillis)).map(AppSecret::secret).toList();
    }

    @Override
    public String toString() {
        return "AppMetadata[appKey=" + appKey + ", status=" + status + ", allowedApiGroups=" + allowedApiGroups
                + ", secrets=" + secrets.size() + ", version=" + version + "]";
    }
}

package io.topaz.model.config;

import io.topaz.model.validation.Checks;
import io.topaz.model.validation.FieldError;

import java.util.List;

/**
 * An app as config: its key, its status and the API groups it may call. Secrets are not config; they live in the
 * metadata store and reach agents through the metadata cache.
 */
public record AppConfig(String appKey, AppStatus status, List<String> allowedApiGroups) implements ConfigEntry {

    public AppConfig {
        status = status == null ? AppStatus.ACTIVE : status;
        allowedApiGroups = allowedApiGroups == null ? List.of() : List.copyOf(allowedApiGroups);
    }

    @Override
    public String key() {
        return appKey;
    }

    @Override
    public List<FieldError> validate() {
        Checks c = new Checks();
        c.appKey("appKey", appKey);
        for (int i = 0; i < allowedApiGroups.size(); i++) {
            c.identifier("allowedApiGroups[" + i + "]", allowedApiGroups.get(i));
        }
        c.distinct("allowedApiGroups", allowedApiGroups);
        return c.errors();
    }
}

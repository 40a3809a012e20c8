package io.topaz.model.config;

/** Whether an app may call APIs at all. */
public enum AppStatus {
    ACTIVE,
    DISABLED
}

package io.topaz.model.config;

/**
 * A draft entry with its version for optimistic concurrency: a write must name the version it read, and a stale
 * version is refused rather than silently overwriting another operator's change.
 *
 * @param version      starts at 1 on create, grows by one with each update
 * @param updatedBy    the operator (token name) who wrote this version
 * @param updatedAtMillis epoch milliseconds of the write
 */
public record ConfigItem<T extends ConfigEntry>(String kind, String key, long version, T value, String updatedBy,
                                                long updatedAtMillis) {
}

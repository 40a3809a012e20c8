package io.topaz.console.controlplane;

import java.util.Map;

/** One entry a publish would add, modify or remove; {@code before} is null when added, {@code after} when removed. */
public record DraftChange(String kind, String key, ChangeType type, Map<String, Object> before,
                          Map<String, Object> after) {

    public enum ChangeType { ADDED, MODIFIED, REMOVED }
}

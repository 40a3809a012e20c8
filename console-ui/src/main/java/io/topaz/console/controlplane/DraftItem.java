package io.topaz.console.controlplane;

import java.util.Map;

/**
 * One entry of the draft with the version a write must name. The value is kept as the control plane's JSON object, so
 * fields this console does not know (from a newer control plane) survive an edit.
 */
public record DraftItem(String kind, String key, long version, Map<String, Object> value, String updatedBy,
                        long updatedAtMillis) {

    public DraftItem {
        value = value == null ? Map.of() : value;
    }
}

package io.topaz.model.metadata;

import java.util.List;
import java.util.Map;

/** The agents' batch lookup of metadata (L3): many keys in one call; keys that do not exist are left out of the answer. */
public final class MetadataLookup {

    private MetadataLookup() {
    }

    /** @param sessions session key hashes */
    public record Request(List<String> apps, List<String> sessions) {
        public Request {
            apps = apps == null ? List.of() : List.copyOf(apps);
            sessions = sessions == null ? List.of() : List.copyOf(sessions);
        }
    }

    public record Response(Map<String, AppMetadata> apps, Map<String, SessionMetadata> sessions) {
        public Response {
            apps = apps == null ? Map.of() : Map.copyOf(apps);
            sessions = sessions == null ? Map.of() : Map.copyOf(sessions);
        }
    }
}

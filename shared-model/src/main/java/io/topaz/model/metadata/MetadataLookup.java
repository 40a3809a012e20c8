package io.topaz.model.metadata;

import java.util.List;
import java.util.Map;

/**
 * The agents' batch lookup of metadata (L3): many keys in one call; keys that do not exist are left out of the answer.
 * The message service's kinds were added later: a request or answer without them reads as empty, so agents and
 * control planes of either age understand each other.
 */
public final class MetadataLookup {

    private MetadataLookup() {
    }

    /**
     * @param sessions  session key hashes
     * @param tmcUsers  user ids (decimal) whose message-service permits are wanted
     * @param tmcGroups app keys whose consumer groups are wanted
     * @param tmcNicks  sellers' nicks whose TOP user ids are wanted (a produce names its seller by nick)
     */
    public record Request(List<String> apps, List<String> sessions, List<String> tmcUsers, List<String> tmcGroups,
                          List<String> tmcNicks) {
        public Request {
            apps = apps == null ? List.of() : List.copyOf(apps);
            sessions = sessions == null ? List.of() : List.copyOf(sessions);
            tmcUsers = tmcUsers == null ? List.of() : List.copyOf(tmcUsers);
            tmcGroups = tmcGroups == null ? List.of() : List.copyOf(tmcGroups);
            tmcNicks = tmcNicks == null ? List.of() : List.copyOf(tmcNicks);
        }

        public Request(List<String> apps, List<String> sessions, List<String> tmcUsers, List<String> tmcGroups) {
            this(apps, sessions, tmcUsers, tmcGroups, List.of());
        }

        public Request(List<String> apps, List<String> sessions) {
            this(apps, sessions, List.of(), List.of(), List.of());
        }

        public int size() {
            return apps.size() + sessions.size() + tmcUsers.size() + tmcGroups.size() + tmcNicks.size();
        }
    }

    /**
     * @param tmcUsers  by user id (decimal); a seller with no permit is answered with an empty permit list, an
     *                  unknown user id is left out
     * @param tmcGroups by app key; an app with no group but {@code default} is answered with an empty list, an
     *                  unknown app is left out
     * @param tmcNicks  nick → TOP user id (decimal) of each seller asked for who has one; other nicks are left out.
     *                  Sellers are never renamed or deleted, so agents may keep an answer long.
     */
    public record Response(Map<String, AppMetadata> apps, Map<String, SessionMetadata> sessions,
                           Map<String, TmcUser> tmcUsers, Map<String, TmcGroups> tmcGroups,
                           Map<String, String> tmcNicks) {
        public Response {
            apps = apps == null ? Map.of() : Map.copyOf(apps);
            sessions = sessions == null ? Map.of() : Map.copyOf(sessions);
            tmcUsers = tmcUsers == null ? Map.of() : Map.copyOf(tmcUsers);
            tmcGroups = tmcGroups == null ? Map.of() : Map.copyOf(tmcGroups);
            tmcNicks = tmcNicks == null ? Map.of() : Map.copyOf(tmcNicks);
        }

        public Response(Map<String, AppMetadata> apps, Map<String, SessionMetadata> sessions,
                        Map<String, TmcUser> tmcUsers, Map<String, TmcGroups> tmcGroups) {
            this(apps, sessions, tmcUsers, tmcGroups, Map.of());
        }

        public Response(Map<String, AppMetadata> apps, Map<String, SessionMetadata> sessions) {
            this(apps, sessions, Map.of(), Map.of(), Map.of());
        }
    }
}

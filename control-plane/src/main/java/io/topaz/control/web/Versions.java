package io.topaz.control.web;

/** Reads the version a client says it read, from {@code If-Match} (an ETag such as {@code "3"}) or {@code ?version=}. */
public final class Versions {

    private Versions() {
    }

    /** The version named, which is required: writes to config must say what they read. */
    public static long required(String ifMatch, Long version) {
        Long v = optional(ifMatch, version);
        if (v == null) {
            throw ApiException.badRequest("the version you read is required, in the If-Match header or ?version=, so "
                    + "that a concurrent change is not overwritten");
        }
        return v;
    }

    /** The version named, or null when none is. */
    public static Long optional(String ifMatch, Long version) {
        if (ifMatch != null && !ifMatch.isBlank()) {
            String v = ifMatch.trim();
            if (v.startsWith("W/")) {
                v = v.substring(2);
            }
            v = v.replace("\"", "");
            long parsed;
            try {
                parsed = Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("If-Match must be the item's version, e.g. \"3\", was " + ifMatch);
            }
            if (version != null && version != parsed) {
                throw ApiException.badRequest("If-Match (" + parsed + ") and ?version= (" + version + ") disagree");
            }
            return parsed;
        }
        return version;
    }
}

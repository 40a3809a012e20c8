package io.topaz.control.config;

import io.topaz.model.json.Json;
import tools.jackson.databind.JsonNode;

import java.util.Locale;

/** The search behind {@code ?q=}: a text found in any value of an entry's JSON, at any depth — never in a field name. */
final class ValueSearch {

    private ValueSearch() {
    }

    /** Whether any scalar value of {@code entry}'s JSON contains {@code lowerCaseNeedle}, ignoring case. */
    static boolean anyValueContains(Object entry, String lowerCaseNeedle) {
        return contains(Json.strict().valueToTree(entry), lowerCaseNeedle);
    }

    private static boolean contains(JsonNode node, String needle) {
        if (node.isContainer()) {
            for (JsonNode child : node.values()) {
                if (contains(child, needle)) {
                    return true;
                }
            }
            return false;
        }
        return !node.isNull() && node.asString().toLowerCase(Locale.ROOT).contains(needle);
    }
}

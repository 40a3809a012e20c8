package io.topaz.model.config;

import io.topaz.model.validation.Checks;
import io.topaz.model.validation.FieldError;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A message topic of the message service (TOP's TMC): a named event type such as {@code taobao_trade_TradeCreate},
 * the topic group it belongs to, the apps that may produce it through {@code taobao.tmc.message(s).produce}, and
 * optionally the field of a message's JSON content that holds its business id (e.g. {@code tid}), which pushed
 * messages carry as {@code dataid}.
 *
 * @param producerApps app keys allowed to produce this topic through the TOP API; empty means none (platform
 *                     services publish on the broker port, which does not consult this list)
 * @param dataIdField  the content field holding the business id (a whole number), or null when the topic has none
 */
public record Topic(String name, String group, String description, List<String> producerApps, String dataIdField)
        implements ConfigEntry {

    /** TOP's topic names: {@code <platform>_<domain>_<Event>}, at least two underscore-separated parts. */
    public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]*(_[A-Za-z0-9]+)+");
    /** A field name of the message content (a top-level JSON key). */
    public static final Pattern FIELD = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    public static final int MAX_NAME = 64;
    public static final int MAX_PRODUCERS = 100;

    public Topic {
        description = description == null ? "" : description;
        producerApps = producerApps == null ? List.of() : List.copyOf(producerApps);
        dataIdField = dataIdField == null || dataIdField.isEmpty() ? null : dataIdField;
    }

    /** Whether {@code appKey} may produce this topic through the TOP API. */
    public boolean producibleBy(String appKey) {
        return producerApps.contains(appKey);
    }

    @Override
    public String key() {
        return name;
    }

    @Override
    public List<FieldError> validate() {
        Checks c = new Checks();
        topicName(c, "name", name);
        c.identifier("group", group);
        c.maxLength("group", group, MAX_NAME);
        c.maxLength("description", description, 500);
        if (producerApps.size() > MAX_PRODUCERS) {
            c.fail("producerApps", producerApps.size() + " apps", "must have at most " + MAX_PRODUCERS);
        }
        for (int i = 0; i < producerApps.size(); i++) {
            c.appKey("producerApps[" + i + "]", producerApps.get(i));
            c.maxLength("producerApps[" + i + "]", producerApps.get(i), 64);
        }
        c.distinct("producerApps", producerApps);
        if (dataIdField != null && (dataIdField.length() > MAX_NAME || !FIELD.matcher(dataIdField).matches())) {
            c.fail("dataIdField", dataIdField, "must be a top-level JSON field name such as tid (letters, digits and '_', "
                    + "at most " + MAX_NAME + " characters)");
        }
        return c.errors();
    }

    /** Checks a topic name where another entry refers to one. */
    static void topicName(Checks c, String field, String value) {
        if (value == null || value.isBlank()) {
            c.fail(field, null, "is required");
        } else if (value.length() > MAX_NAME) {
            c.fail(field, value.length() + " characters", "must be at most " + MAX_NAME + " characters");
        } else if (!NAME.matcher(value).matches()) {
            c.fail(field, value, "must be a topic name such as taobao_trade_TradeCreate (lowercase platform, then "
                    + "'_'-separated parts of letters and digits)");
        }
    }
}

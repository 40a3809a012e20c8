package io.topaz.agent.sync.engine;

import io.topaz.agent.broker.BrokerMessage;
import io.topaz.model.json.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * What the sync takes from a trade message: the order id ({@code tid}: the message's data id, else the content's
 * {@code tid}, a positive whole number or digits) and, when the content has it, the order's {@code modified} (epoch
 * milliseconds, ISO-8601, or TOP's {@code yyyy-MM-dd HH:mm:ss[.SSS]} in the platform's zone). {@code modified} only
 * classifies repairs; the row read from the source is the truth.
 *
 * @param modifiedMillis 0 when the content has none
 */
record TradeChange(long tid, long modifiedMillis) {

    private static final DateTimeFormatter TOP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSS]");

    /** Why a message cannot drive the sync. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message);
        }
    }

    static TradeChange of(BrokerMessage m, ZoneId platformZone) throws Malformed {
        JsonNode content;
        try {
            content = Json.lenient().readTree(m.content());
        } catch (JacksonException e) {
            content = null;
        }
        if (content == null || !content.isObject()) {
            throw new Malformed("message " + m.id() + " (" + m.topic() + "): content is not a JSON object");
        }
        long tid = m.dataId() > 0 ? m.dataId() : whole(content.get("tid"));
        if (tid <= 0) {
            throw new Malformed("message " + m.id() + " (" + m.topic() + "): content has no tid (a positive whole "
                    + "number)");
        }
        return new TradeChange(tid, modified(content.get("modified"), platformZone));
    }

    private static long whole(JsonNode n) {
        if (n == null) {
            return 0;
        }
        if (n.isIntegralNumber() && n.canConvertToLong()) {
            return n.longValue();
        }
        if (n.isString() && n.asString().matches("[1-9][0-9]{0,18}")) {
            try {
                return Long.parseLong(n.asString());
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return 0;
    }

    private static long modified(JsonNode n, ZoneId zone) {
        if (n == null || n.isNull()) {
            return 0;
        }
        if (n.isIntegralNumber()) {
            return Math.max(0, n.longValue());
        }
        if (!n.isString()) {
            return 0;
        }
        String s = n.asString().trim();
        try {
            if (s.matches("[0-9]{1,19}")) {
                return Long.parseLong(s);
            }
            if (s.endsWith("Z") || s.matches(".*[+-][0-9]{2}:[0-9]{2}$")) {
                return Instant.parse(s).toEpochMilli();
            }
            return LocalDateTime.parse(s.replace('T', ' '), TOP).atZone(zone).toInstant().toEpochMilli();
        } catch (DateTimeParseException | NumberFormatException e) {
            return 0;
        }
    }
}

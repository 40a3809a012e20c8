package io.topaz.control.messages;

import io.topaz.model.validation.Checks;
import io.topaz.model.validation.ConfigValidationException;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * A validated {@code GET /api/v1/messages/dead-letters} query. Pages count from 0. Only the first
 * {@value #MAX_WINDOW} dead letters (newest first) can be paged to, as in search engines: each page is merged from
 * every agent's newest {@code (page + 1) × size}, which must stay bounded; narrow by topic or time to go further.
 *
 * @param fromMillis dead letters that died at or after this time, or null
 * @param toMillis   dead letters that died before this time, or null
 */
record DeadLetterQuery(String app, String topic, Long fromMillis, Long toMillis, int page, int size) {

    /** The agents' own largest page, and so this API's. */
    static final int MAX_SIZE = 500;
    static final int DEFAULT_SIZE = 50;
    static final long MAX_WINDOW = 10_000;

    /** Parses and checks the raw parameters; a {@link ConfigValidationException} names every broken one. */
    static DeadLetterQuery parse(String app, String topic, String from, String to, String page, String size) {
        Checks c = new Checks();
        c.appKey("app", app);
        String t = topic == null || topic.isBlank() ? null : topic.trim();
        if (t != null) {
            c.maxLength("topic", t, 64);
        }
        Long fromMillis = instant(c, "from", from);
        Long toMillis = instant(c, "to", to);
        if (fromMillis != null && toMillis != null && fromMillis >= toMillis) {
            c.fail("to", to, "must be after from (" + from + ")");
        }
        Long p = number(c, "page", page, 0);
        Long s = number(c, "size", size, DEFAULT_SIZE);
        if (p != null && p < 0) {
            c.fail("page", page, "must be 0 or more (pages count from 0)");
        }
        if (s != null && (s < 1 || s > MAX_SIZE)) {
            c.fail("size", size, "must be between 1 and " + MAX_SIZE);
        }
        // both are parsed as longs and bounded before multiplying: no overflow whatever the caller sends
        if (p != null && s != null && p >= 0 && s >= 1 && s <= MAX_SIZE && p > (MAX_WINDOW / s) - 1) {
            c.fail("page", page, "reaches past the first " + MAX_WINDOW + " dead letters (page × size + size at most "
                    + MAX_WINDOW + "); narrow the query with topic, from and to");
        }
        if (!c.errors().isEmpty()) {
            throw new ConfigValidationException("dead-letter query", c.errors());
        }
        return new DeadLetterQuery(app, t, fromMillis, toMillis, p.intValue(), s.intValue());
    }

    /** How many of the newest dead letters each agent must contribute for this page: {@code (page + 1) × size}. */
    int window() {
        return (page + 1) * size;
    }

    /** The agents' query string for one of their pages. */
    String agentQuery(int agentPage, int agentSize) {
        StringBuilder q = new StringBuilder("/internal/v1/dead-letters?app=").append(encode(app))
                .append("&page=").append(agentPage).append("&size=").append(agentSize);
        if (topic != null) {
            q.append("&topic=").append(encode(topic));
        }
        if (fromMillis != null) {
            q.append("&from=").append(fromMillis);
        }
        if (toMillis != null) {
            q.append("&to=").append(toMillis);
        }
        return q.toString();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static Long instant(Checks c, String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value.trim()).toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            c.fail(field, value, "must be an ISO-8601 instant such as 2026-11-24T08:00:00Z");
            return null;
        }
    }

    private static Long number(Checks c, String field, String value, long absent) {
        if (value == null || value.isBlank()) {
            return absent;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            c.fail(field, value, "must be a whole number");
            return null;
        }
    }
}

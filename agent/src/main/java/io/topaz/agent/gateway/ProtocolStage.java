package io.topaz.agent.gateway;

import io.topaz.model.top.SignMethod;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CompletableFuture;

/**
 * Protocol: the system parameters are present and well formed — {@code method}, {@code app_key}, {@code v=2.0},
 * {@code format} ({@code json}, or {@code xml}, the default), {@code sign_method}, {@code sign}, and a
 * {@code timestamp} within the window around this agent's clock (TOP's format {@code yyyy-MM-dd HH:mm:ss} in GMT+8,
 * or epoch milliseconds). Lenient, as TOP's own gateways were: an absent {@code sign_method} is md5.
 */
final class ProtocolStage implements Stage {

    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final Clock clock;
    private final long windowMillis;
    private final ZoneId zone;

    ProtocolStage(Clock clock, Duration window, ZoneId zone) {
        this.clock = clock;
        this.windowMillis = window.toMillis();
        this.zone = zone;
    }

    @Override
    public CompletableFuture<TopError> apply(Call call) {
        var p = call.params;
        String method = p.get("method");
        if (!call.batch) {
            if (blank(method)) {
                return Stage.fail(21, "isv.missing-parameter:method", "the system parameter 'method' is missing");
            }
            call.method = method;
        }
        if (call.subCall) {
            return subCall(call);
        }
        String format = p.get("format");
        if (!ResponseFormat.served(format)) {
            return Stage.fail(23, "isv.invalid-format", "format '" + truncate(format)
                    + "' is not served; use format=json or format=xml (the default)");
        }
        String appKey = p.get("app_key");
        if (blank(appKey)) {
            return Stage.fail(28, "isv.missing-parameter:app_key", "the system parameter 'app_key' is missing");
        }
        call.appKey = appKey;
        String v = p.get("v");
        if (blank(v)) {
            return Stage.fail(32, "isv.missing-parameter:v", "the system parameter 'v' is missing; use v=2.0");
        }
        if (!"2.0".equals(v)) {
            return Stage.fail(33, "isv.invalid-parameter:v", "version '" + truncate(v) + "' is not served; use v=2.0");
        }
        String signMethod = p.get("sign_method");
        var sm = SignMethod.fromWire(blank(signMethod) ? "md5" : signMethod);
        if (sm.isEmpty()) {
            return Stage.fail(25, "isv.invalid-parameter:sign_method",
                    "sign_method '" + truncate(signMethod) + "' is not one of md5, hmac, hmac-sha256");
        }
        call.signMethod = sm.get();
        String sign = p.get("sign");
        if (blank(sign)) {
            return Stage.fail(25, "isv.missing-parameter:sign", "the system parameter 'sign' is missing");
        }
        call.sign = sign;
        String timestamp = p.get("timestamp");
        if (blank(timestamp)) {
            return Stage.fail(30, "isv.missing-parameter:timestamp", "the system parameter 'timestamp' is missing");
        }
        long at = parseTimestamp(timestamp, zone);
        if (at == Long.MIN_VALUE) {
            return Stage.fail(31, "isv.invalid-parameter:timestamp",
                    "timestamp '" + truncate(timestamp) + "' must be 'yyyy-MM-dd HH:mm:ss' (" + zone + ") or epoch milliseconds");
        }
        long now = clock.millis();
        if (Math.abs(now - at) > windowMillis) {
            return Stage.fail(31, "isv.invalid-parameter:timestamp", "timestamp '" + truncate(timestamp)
                    + "' is more than " + windowMillis / 60_000 + " minutes from the server's time; "
                    + zoneHint(at - now, now));
        }
        String session = p.get("session");
        call.sessionKey = blank(session) ? null : session;
        call.simplify = simplify(call);
        return PASS;
    }

    /** {@code simplify=true} drops JSON's outer wrapper; XML keeps its root element, which XML cannot do without. */
    private static boolean simplify(Call call) {
        return call.format == ResponseFormat.JSON && "true".equalsIgnoreCase(call.params.get("simplify"));
    }

    private static CompletableFuture<TopError> subCall(Call call) {
        String session = call.params.get("session");
        call.sessionKey = blank(session) ? null : session;
        call.simplify = simplify(call);
        return PASS;
    }

    /**
     * What to check: a timestamp off by whole hours (within the window) was most likely written in the caller's own
     * zone rather than the platform's, so say which zone and offset timestamps are in; otherwise the clock.
     */
    private String zoneHint(long offByMillis, long now) {
        long hours = Math.round(offByMillis / 3_600_000.0);
        if (hours != 0 && Math.abs(offByMillis - hours * 3_600_000) <= windowMillis) {
            String offset = zone.getRules().getOffset(java.time.Instant.ofEpochMilli(now)).getId();
            return "it is " + Math.abs(hours) + (Math.abs(hours) == 1 ? " hour " : " hours ")
                    + (hours > 0 ? "ahead" : "behind") + ": write it in the platform's zone, " + zone + " (GMT"
                    + ("Z".equals(offset) ? "" : offset) + "), not your own";
        }
        return "check the clock";
    }

    static long parseTimestamp(String value, ZoneId zone) {
        if (value.length() <= 15 && value.chars().allMatch(Character::isDigit)) {
            return Long.parseLong(value);
        }
        try {
            return LocalDateTime.parse(value, TIMESTAMP).atZone(zone).toInstant().toEpochMilli();
        } catch (DateTimeException e) {
            return Long.MIN_VALUE;
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isEmpty();
    }

    static String truncate(String s) {
        return s == null ? "" : s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}

package io.topaz.demo;

import tools.jackson.databind.json.JsonMapper;

import java.time.Clock;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The demo APIs, by method name, as plain functions from a call (application parameters and the gateway's headers)
 * to an answer. No Netty here, so each API is tested on its own.
 */
final class DemoApis {

    /** An answer: HTTP status and JSON body, or a delay before it ({@code topaz.demo.sleep}). */
    record Answer(int status, byte[] json, long delayMillis) {
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final Clock clock;
    private final ZoneId zone;

    DemoApis(Clock clock, ZoneId zone) {
        this.clock = clock;
        this.zone = zone;
    }

    Answer answer(String method, Map<String, String> params, Map<String, String> gatewayHeaders) {
        if (method == null || method.isEmpty()) {
            return error(404, "isp.unknown-method", "no X-Topaz-Method header: this service is called by the gateway");
        }
        return switch (method) {
            case "taobao.time.get" -> ok(Map.of("time", TIME.format(clock.instant().atZone(zone))));
            case "taobao.user.seller.get" -> {
                String user = gatewayHeaders.get("x-topaz-user-id");
                yield user == null || user.isEmpty()
                        ? business("isv.session-required", "this API acts for a seller: call it with a session")
                        : ok(Map.of("user", Map.of("user_id", user, "nick", nick(gatewayHeaders, user))));
            }
            case "taobao.item.get" -> item(params);
            case "topaz.demo.echo" -> {
                Map<String, Object> echo = new LinkedHashMap<>();
                echo.put("params", params);
                echo.put("headers", gatewayHeaders);
                yield ok(echo);
            }
            case "topaz.demo.sleep" -> sleep(params);
            // topaz.demo.sleep.<anything> sleeps too, so that benchmarks can put sleeping APIs in several API groups
            default -> method.startsWith("topaz.demo.sleep.") ? sleep(params)
                    : error(404, "isp.unknown-method", "this service has no API named " + method);
        };
    }

    /** The nick the seller was registered with, as the gateway passes it; a gateway that passes none: made up. */
    private static String nick(Map<String, String> gatewayHeaders, String user) {
        String nick = gatewayHeaders.get("x-topaz-user-nick");
        if (nick == null || nick.isEmpty()) {
            return "seller-" + user;
        }
        try {
            return java.net.URLDecoder.decode(nick, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return nick;
        }
    }

    private Answer item(Map<String, String> params) {
        String id = params.get("num_iid");
        if (id == null || id.isEmpty() || id.length() > 18 || !id.chars().allMatch(Character::isDigit)) {
            return business("isv.invalid-parameter", "num_iid must be digits, was '" + (id == null ? "" : id) + "'");
        }
        if (id.endsWith("0")) {
            return business("isv.item-not-exist", "item " + id + " does not exist");
        }
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("num_iid", Long.parseLong(id));
        item.put("title", "Demo item " + id);
        item.put("price", String.format("%d.%02d", 10 + Long.parseLong(id) % 990, Long.parseLong(id) % 100));
        if (params.containsKey("fields")) {
            item.put("fields", params.get("fields"));
        }
        return ok(Map.of("item", item));
    }

    private Answer sleep(Map<String, String> params) {
        long millis;
        try {
            millis = Long.parseLong(params.getOrDefault("millis", "0"));
        } catch (NumberFormatException e) {
            millis = -1;
        }
        if (millis < 0 || millis > 60_000) {
            return business("isv.invalid-parameter", "millis must be 0 to 60000");
        }
        return new Answer(200, json(Map.of("slept", millis)), millis);
    }

    private static Answer ok(Object body) {
        return new Answer(200, json(body), 0);
    }

    private static Answer business(String subCode, String subMsg) {
        return new Answer(200, json(Map.of("error_response", Map.of("sub_code", subCode, "sub_msg", subMsg))), 0);
    }

    private static Answer error(int status, String subCode, String subMsg) {
        return new Answer(status, json(Map.of("error_response", Map.of("sub_code", subCode, "sub_msg", subMsg))), 0);
    }

    private static byte[] json(Object value) {
        return JSON.writeValueAsBytes(value);
    }
}

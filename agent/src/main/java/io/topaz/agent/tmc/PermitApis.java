package io.topaz.agent.tmc;

import io.topaz.agent.gateway.Call;
import io.topaz.agent.gateway.TopError;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * {@code taobao.tmc.user.permit / cancel / get}, {@code taobao.tmc.group.add / delete}, {@code taobao.tmc.groups.get}:
 * the control plane keeps permits and groups and checks them (docs/tmc-protocol.md, "Permits and groups"); this maps
 * each method to its AGENT-API call and the answer to TOP's shape. A 400 becomes code 41
 * {@code isv.invalid-parameter:<the TOP parameter of the broken field>} (or 15 {@code isv.app-not-subscribed} when the
 * app subscribes to nothing) with every broken field in {@code sub_msg}.
 */
final class PermitApis {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** {@code user.get}'s {@code fields}: TOP's {@code tmc_user} fields. */
    static final Set<String> USER_FIELDS = Set.of("user_nick", "user_id", "topics", "group_name", "created",
            "modified", "is_valid", "user_platform");

    private final ControlPlaneTmc controlPlane;
    private final TopTimes times;

    PermitApis(ControlPlaneTmc controlPlane, TopTimes times) {
        this.controlPlane = controlPlane;
        this.times = times;
    }

    /** {@code topics} (optional: every subscribed topic, now and later), the caller's {@code session} (required). */
    CompletableFuture<ObjectNode> permit(Call call) {
        List<String> topics = TmcParams.csv(TmcParams.opt(call, "topics"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("userId", call.session().userId());
        body.put("topics", topics);
        return controlPlane().post(call.appKey(), "permits/permit", body).thenApply(a -> {
            if (a.status() == 404) {
                throw new TmcFailure(TopError.of(15, "isv.user-not-exist", "the session's seller is not a seller of "
                        + "the message service"));
            }
            ok(a);
            return success(true);
        });
    }

    CompletableFuture<ObjectNode> cancel(Call call) {
        TmcParams.userPlatform(call);
        String nick = TmcParams.opt(call, "nick");
        return controlPlane().post(call.appKey(), "permits/cancel", Map.of("nick", nick)).thenApply(a -> {
            ok(a);
            return success(a.body().path("cancelled").asBoolean(false));
        });
    }

    /** A seller without a permit of the app (or no such seller) answers no {@code tmc_user}, as TOP does. */
    CompletableFuture<ObjectNode> get(Call call) {
        TmcParams.userPlatform(call);
        List<String> fields = TmcParams.csv(TmcParams.opt(call, "fields"));
        if (!fields.contains("topics")) {
            throw TmcFailure.invalid("fields", "fields must list the tmc_user fields wanted and include topics, e.g. "
                    + "fields=user_nick,topics,user_id");
        }
        String nick = TmcParams.opt(call, "nick");
        return controlPlane().get(call.appKey(), "permits?nick=" + ControlPlaneTmc.encode(nick)).thenApply(a -> {
            ObjectNode out = NODES.objectNode();
            if (a.status() == 404) {
                return out;
            }
            ok(a);
            JsonNode v = a.body();
            ObjectNode user = NODES.objectNode();
            for (String f : fields) {
                switch (f) {
                    case "user_nick" -> user.put("user_nick", v.path("userNick").asString(""));
                    case "user_id" -> user.put("user_id", v.path("userId").asLong(0));
                    case "topics" -> user.set("topics", strings(v.path("topics")));
                    case "group_name" -> user.put("group_name", v.path("groupName").asString("default"));
                    case "created" -> user.put("created", times.format(v.path("created").asLong(0)));
                    case "modified" -> user.put("modified", times.format(v.path("modified").asLong(0)));
                    case "is_valid" -> user.put("is_valid", v.path("isValid").asBoolean(false));
                    case "user_platform" -> user.put("user_platform", "tbUIC");
                    default -> {
                        // TOP ignores fields it does not know
                    }
                }
            }
            out.set("tmc_user", user);
            return out;
        });
    }

    CompletableFuture<ObjectNode> groupAdd(Call call) {
        TmcParams.userPlatform(call);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("groupName", TmcParams.opt(call, "group_name"));
        body.put("nicks", TmcParams.csv(TmcParams.opt(call, "nicks")));
        return controlPlane().post(call.appKey(), "groups/add", body).thenApply(a -> {
            ok(a);
            return success(true);
        });
    }

    CompletableFuture<ObjectNode> groupDelete(Call call) {
        TmcParams.userPlatform(call);
        String group = TmcParams.opt(call, "group_name");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("groupName", group);
        body.put("nicks", TmcParams.csv(TmcParams.opt(call, "nicks")));
        return controlPlane().post(call.appKey(), "groups/delete", body).thenApply(a -> {
            if (a.status() == 404) {
                throw new TmcFailure(TopError.of(15, "isv.group-not-exist", "app '" + call.appKey() + "' has no "
                        + "group '" + TmcParams.abbreviate(group) + "'"));
            }
            ok(a);
            return success(true);
        });
    }

    /** {@code group_names} (optional), {@code page_no} from 1, {@code page_size} 1–100 (default 40). */
    CompletableFuture<ObjectNode> groupsGet(Call call) {
        List<String> names = TmcParams.csv(TmcParams.opt(call, "group_names"));
        int page = TmcParams.integer(call, "page_no", 1, 1, 1_000_000);
        int size = TmcParams.integer(call, "page_size", 40, 1, 100);
        String query = "groups?page=" + (page - 1) + "&size=" + size
                + (names.isEmpty() ? "" : "&groupNames=" + ControlPlaneTmc.encode(String.join(",", names)));
        return controlPlane().get(call.appKey(), query).thenApply(a -> {
            ok(a);
            ArrayNode groups = NODES.arrayNode();
            for (JsonNode g : a.body().path("groups")) {
                ObjectNode o = groups.addObject();
                o.put("name", g.path("name").asString(""));
                o.set("users", strings(g.path("users")));
                o.put("created", times.format(g.path("created").asLong(0)));
                o.put("modified", times.format(g.path("modified").asLong(0)));
            }
            ObjectNode out = NODES.objectNode();
            ObjectNode list = out.putObject("groups");
            if (!groups.isEmpty()) {
                list.set("tmc_group", groups);
            }
            out.put("total_results", a.body().path("totalResults").asLong(0));
            return out;
        });
    }

    private ControlPlaneTmc controlPlane() {
        if (controlPlane == null) {
            throw new TmcFailure(TopError.of(10, "isp.control-plane-unavailable", "this agent has no control plane "
                    + "configured (--control-url), which keeps permits and groups"));
        }
        return controlPlane;
    }

    /** TOP's string list: {@code {"string":[…]}} ({@code {}} when empty). */
    private static ObjectNode strings(JsonNode array) {
        ObjectNode o = NODES.objectNode();
        if (array.isArray() && !array.isEmpty()) {
            ArrayNode a = o.putArray("string");
            array.forEach(s -> a.add(s.asString()));
        }
        return o;
    }

    private static ObjectNode success(boolean ok) {
        ObjectNode o = NODES.objectNode();
        o.put("is_success", ok);
        return o;
    }

    /** Throws the TOP error for a refusal (400: field errors; 404: what was not found). */
    private static void ok(ControlPlaneTmc.Answer a) {
        if (a.status() == 200 || a.status() == 201) {
            return;
        }
        String message = a.body().path("message").asString("the control plane refused the request");
        if (a.status() == 404) {
            throw new TmcFailure(TopError.of(15, "isv.user-not-exist", message));
        }
        throw refusal(a.body(), message);
    }

    /** A 400's field errors as one TOP error: the first broken field names the parameter, sub_msg lists them all. */
    static TmcFailure refusal(JsonNode body, String message) {
        List<String> details = new ArrayList<>();
        String parameter = null;
        for (JsonNode e : body.path("errors")) {
            String field = e.path("field").asString("");
            details.add(field + (e.path("value").isNull() || e.path("value").isMissingNode() ? ""
                    : " '" + TmcParams.abbreviate(e.path("value").asString()) + "'") + ": "
                    + e.path("rule").asString(e.path("message").asString("is invalid")));
            if (parameter == null) {
                parameter = parameterOf(field);
            }
        }
        String why = details.isEmpty() ? message : String.join("; ", details);
        if ("app".equals(parameter)) {
            return new TmcFailure(TopError.of(15, "isv.app-not-subscribed", why));
        }
        return TmcFailure.invalid(parameter == null ? "request" : parameter, why);
    }

    /** The TOP parameter a control-plane field comes from. */
    static String parameterOf(String field) {
        String f = field.contains("[") ? field.substring(0, field.indexOf('[')) : field;
        return switch (f) {
            case "topics" -> "topics";
            case "userId" -> "session";
            case "nick" -> "nick";
            case "nicks" -> "nicks";
            case "groupName" -> "group_name";
            case "page" -> "page_no";
            case "size" -> "page_size";
            case "appKey" -> "app";
            default -> "request";
        };
    }
}

package io.topaz.agent.tmc;

import io.topaz.agent.gateway.Call;
import io.topaz.agent.gateway.TopError;
import io.topaz.model.json.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code taobao.tmc.message.produce} and {@code taobao.tmc.messages.produce} (at most {@link #MAX_BATCH}): each
 * message through the {@link Producer}, answered once it is durable. In a batch every message stands alone: one
 * message's refusal does not stop the others, and each result says how its message fared.
 */
final class ProduceApis {

    static final int MAX_BATCH = 50;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Producer producer;

    ProduceApis(Producer producer) {
        this.producer = producer;
    }

    /** {@code topic}, {@code content} (required), {@code target_appkey}, {@code target_group}, {@code delay_millis}. */
    CompletableFuture<ObjectNode> produce(Call call) {
        noDelay(call);
        Producer.Request r = new Producer.Request(TmcParams.opt(call, "topic"), TmcParams.opt(call, "content"),
                call.appKey(), true, null, null, TmcParams.opt(call, "target_appkey"),
                TmcParams.opt(call, "target_group"));
        return producer.produce(call.config(), r).thenApply(id -> {
            ObjectNode o = NODES.objectNode();
            o.put("is_success", true);
            o.putObject("msg_ids").putArray("number").add(id);
            return o;
        });
    }

    /** {@code messages}: a JSON array of {@code {topic, content, target_group, target_appkey}} objects. */
    CompletableFuture<ObjectNode> produceMany(Call call) {
        String raw = TmcParams.opt(call, "messages");
        JsonNode list;
        try {
            list = Json.strict().readTree(raw.getBytes(StandardCharsets.UTF_8));
        } catch (JacksonException e) {
            list = null;
        }
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw TmcFailure.invalid("messages", "messages must be a JSON array of 1 to " + MAX_BATCH + " objects "
                    + "{\"topic\":…,\"content\":…}");
        }
        if (list.size() > MAX_BATCH) {
            throw TmcFailure.invalid("messages", "messages may hold at most " + MAX_BATCH + " messages, held "
                    + list.size());
        }
        List<CompletableFuture<ObjectNode>> results = new ArrayList<>(list.size());
        for (JsonNode m : list) {
            results.add(one(call, m).handle((id, err) -> {
                ObjectNode o = NODES.objectNode();
                if (err == null) {
                    o.put("is_success", true);
                    o.put("msg_id", id);
                    return o;
                }
                TmcFailure f = BrokerErrors.of(err);
                TopError e = f != null ? f.error() : TopError.of(10, "isp.internal-error", "producing this message "
                        + "failed; retry later, quoting request_id " + call.requestId());
                o.put("is_success", false);
                o.put("error_code", e.subCode());
                o.put("error_message", e.subMsg());
                return o;
            }));
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            ObjectNode out = NODES.objectNode();
            ArrayNode items = out.putObject("results").putArray("tmc_produce_result");
            boolean all = true;
            for (CompletableFuture<ObjectNode> r : results) {
                ObjectNode o = r.join();
                all &= o.path("is_success").asBoolean(false);
                items.add(o);
            }
            out.put("is_all_success", all);
            return out;
        });
    }

    private CompletableFuture<Long> one(Call call, JsonNode m) {
        try {
            if (!m.isObject()) {
                throw TmcFailure.invalid("messages", "each message must be an object {\"topic\":…,\"content\":…}");
            }
            JsonNode content = m.get("content");
            String c = content == null || content.isNull() ? null
                    : content.isString() ? content.asString() : new String(Json.write(content), StandardCharsets.UTF_8);
            Producer.Request r = new Producer.Request(text(m, "topic"), c, call.appKey(), true, null, null,
                    text(m, "target_appkey"), text(m, "target_group"));
            return producer.produce(call.config(), r);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static String text(JsonNode m, String field) {
        JsonNode v = m.get(field);
        return v == null || v.isNull() || (v.isString() && v.asString().isEmpty()) ? null : v.asString();
    }

    /** Delayed delivery is not served: a delay is refused rather than ignored. */
    private static void noDelay(Call call) {
        String d = TmcParams.opt(call, "delay_millis");
        if (d != null && !"0".equals(d.trim())) {
            throw TmcFailure.invalid("delay_millis", "delayed delivery is not served by Topaz; leave delay_millis "
                    + "out (or 0)");
        }
    }
}

package io.topaz.agent.tmc;

import io.topaz.agent.broker.BrokerException;
import io.topaz.agent.broker.PublishHandler;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.json.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A platform service's publish on the broker port ({@code POST /internal/v1/publish}): validated and routed as
 * {@code taobao.tmc.message.produce} against the live release, except that the topic's {@code producerApps} is not
 * consulted (the caller was authenticated by its token). Body {@code {"topic", "content", "userId" or "userNick"}}
 * ({@code content} a JSON object as a string, or the object itself); without userId and userNick the seller comes from
 * the content, as for produce. Answers {@code {"msgId": n}} once durable.
 */
final class PlatformPublish implements PublishHandler {

    private final Supplier<ConfigSnapshot> config;
    private final Producer producer;

    PlatformPublish(Supplier<ConfigSnapshot> config, Producer producer) {
        this.config = config;
        this.producer = producer;
    }

    @Override
    public CompletableFuture<byte[]> publish(String publisherName, byte[] jsonBody) {
        Producer.Request r;
        try {
            r = request(publisherName, jsonBody);
        } catch (BrokerException e) {
            return CompletableFuture.failedFuture(e);
        }
        return producer.produce(config.get(), r).handle((id, err) -> {
            if (err == null) {
                return ("{\"msgId\":" + id + "}").getBytes(StandardCharsets.UTF_8);
            }
            throw brokerException(err);
        });
    }

    private static Producer.Request request(String publisher, byte[] body) {
        JsonNode b;
        try {
            b = Json.strict().readTree(body);
        } catch (JacksonException e) {
            b = null;
        }
        if (b == null || !b.isObject()) {
            throw invalid("the body must be a JSON object {\"topic\", \"content\", \"userId\" or \"userNick\"}");
        }
        JsonNode content = b.get("content");
        String c = content == null || content.isNull() ? null
                : content.isString() ? content.asString() : new String(Json.write(content), StandardCharsets.UTF_8);
        Long userId = null;
        JsonNode id = b.get("userId");
        if (id != null && !id.isNull()) {
            if (id.isIntegralNumber() && id.canConvertToLong() && id.longValue() > 0) {
                userId = id.longValue();
            } else if (id.isString() && id.asString().matches("[1-9][0-9]{0,18}")) {
                userId = Long.parseLong(id.asString());
            } else {
                throw invalid("userId must be a TOP user id (a positive whole number)");
            }
        }
        JsonNode nick = b.get("userNick");
        String n = nick != null && nick.isString() && !nick.asString().isBlank() ? nick.asString() : null;
        JsonNode topic = b.get("topic");
        return new Producer.Request(topic != null && topic.isString() ? topic.asString() : null, c, publisher, false,
                userId, n, null, null);
    }

    /** A refusal of the input is INVALID (400); the broker's own failure keeps its kind (503 when retryable). */
    private static BrokerException brokerException(Throwable err) {
        Throwable c = BrokerErrors.unwrap(err);
        if (c instanceof TmcFailure f) {
            if (f.getCause() instanceof BrokerException b) {
                return b;
            }
            if (f.error().platformSide()) {
                return new BrokerException(BrokerException.Kind.UNAVAILABLE, f.error().subMsg(), f);
            }
            if (f.error().code() == 7) {
                return new BrokerException(BrokerException.Kind.OVERLOADED, f.error().subMsg(), f);
            }
            return new BrokerException(BrokerException.Kind.INVALID, f.error().subMsg(), f);
        }
        if (c instanceof BrokerException b) {
            return b;
        }
        return new BrokerException(BrokerException.Kind.INTERNAL, "publishing failed", c);
    }

    private static BrokerException invalid(String message) {
        return new BrokerException(BrokerException.Kind.INVALID, message);
    }
}

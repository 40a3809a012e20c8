package io.topaz.agent.tmc;

import io.topaz.agent.broker.Broker;
import io.topaz.agent.broker.BrokerException;
import io.topaz.agent.broker.BrokerMessage;
import io.topaz.agent.broker.QueueName;
import io.topaz.agent.gateway.TopError;
import io.topaz.agent.metadata.MetadataClient;
import io.topaz.agent.sync.engine.SyncQueues;
import io.topaz.agent.tmc.TmcMetrics.Reason;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.Subscription;
import io.topaz.model.config.Topic;
import io.topaz.model.json.Json;
import io.topaz.model.metadata.TmcUser;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One produce, from the TOP methods or the broker port: validate, route, publish, and complete with the message id
 * only once the broker has the message durable at every receiving queue's owner. Bad input fails with a
 * {@link TmcFailure} before anything is published.
 *
 * <ul>
 *   <li><b>Validate</b>: the topic is in the call's release; the producer is in its {@code producerApps} (not
 *       checked for platform services); {@code content} is a JSON object of at most {@link #MAX_CONTENT_BYTES} bytes
 *       of UTF-8; the seller — {@code user_id}, else {@code seller_nick} or {@code nick} of the content (or given
 *       explicitly on the broker port) — is a seller with a TOP user id.</li>
 *   <li><b>Route</b>: every app whose subscription has the topic and whose permit from the seller covers it receives
 *       the message in the seller's group of that app: {@code QueueName(app, permit.groupName())}.
 *       {@code target_appkey} keeps only that app, {@code target_group} only queues of that group. No receiver is not
 *       an error: the message is acknowledged and stored nowhere (TOP does the same). A trade message also goes to
 *       the order sync's internal queue of each sync target whose app the seller permitted, in the group that syncs
 *       the seller ({@link SyncQueues}), whatever the target parameters say.</li>
 *   <li><b>Publish</b>: id from {@link Broker#ids()}, {@code dataId} from the topic's {@code dataIdField}, then
 *       {@link Broker#publish}.</li>
 * </ul>
 */
final class Producer {

    /** The largest content accepted, in bytes of UTF-8: 64 KiB (TOP's own limit is of the same order). */
    static final int MAX_CONTENT_BYTES = 64 * 1024;

    /**
     * What to produce.
     *
     * @param checkProducer   whether {@code publisher} must be in the topic's {@code producerApps} (the TOP methods)
     * @param userId          the seller's TOP user id given outside the content (broker port), or null
     * @param userNick        the seller's nick given outside the content (broker port), or null
     * @param targetApp       only this app receives it, or null
     * @param targetGroup     only queues of this group receive it, or null
     */
    record Request(String topic, String content, String publisher, boolean checkProducer, Long userId,
                   String userNick, String targetApp, String targetGroup) {
    }

    private final Broker broker;
    private final MetadataClient metadata;
    private final Clock clock;
    private final TmcMetrics metrics;

    Producer(Broker broker, MetadataClient metadata, Clock clock, TmcMetrics metrics) {
        this.broker = broker;
        this.metadata = metadata;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** The message id, once durable; fails with {@link TmcFailure}. */
    CompletableFuture<Long> produce(ConfigSnapshot config, Request r) {
        CompletableFuture<Long> done;
        try {
            if (broker == null) {
                throw BrokerErrors.noBroker();
            }
            Topic topic = topic(config, r);
            JsonNode content = content(r.content());
            done = seller(r, content).thenCompose(user -> publish(config, r, topic, content, user));
        } catch (RuntimeException e) {
            done = CompletableFuture.failedFuture(e);
        }
        return done.handle((id, err) -> {
            if (err == null) {
                metrics.produced(r.topic());
                return id;
            }
            TmcFailure f = BrokerErrors.of(err);
            if (f == null) {
                metrics.failed(Reason.ERROR);
                throw err instanceof RuntimeException re ? re : new IllegalStateException(err);
            }
            metrics.failed(reason(f));
            throw f;
        });
    }

    private Topic topic(ConfigSnapshot config, Request r) {
        Topic topic = r.topic() == null ? null : config.topics().get(r.topic());
        if (topic == null) {
            throw failure(15, "isv.topic-not-exist", "no topic '" + TmcParams.abbreviate(String.valueOf(r.topic()))
                    + "' in the live release");
        }
        if (r.checkProducer() && !topic.producibleBy(r.publisher())) {
            throw failure(11, "isv.permission-topic-produce", "app '" + r.publisher() + "' may not produce topic '"
                    + topic.name() + "' (not among its producerApps)");
        }
        if (r.targetGroup() != null && !TmcParams.GROUP.matcher(r.targetGroup()).matches()) {
            throw TmcFailure.invalid("target_group", "target_group must be a group name: 1 to 32 letters, digits, "
                    + "'.', '-' or '_'");
        }
        return topic;
    }

    static JsonNode content(String content) {
        if (content == null || content.isEmpty()) {
            throw failure(40, "isv.missing-parameter:content", "content is required: a JSON object");
        }
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_CONTENT_BYTES) {
            throw failure(41, "isv.content-too-large", "content is " + bytes.length + " bytes; at most "
                    + MAX_CONTENT_BYTES + " bytes of UTF-8 are accepted");
        }
        JsonNode node;
        try {
            node = Json.strict().readTree(bytes);
        } catch (JacksonException e) {
            node = null;
        }
        if (node == null || !node.isObject()) {
            throw TmcFailure.invalid("content", "content must be a JSON object, e.g. {\"tid\":1,\"seller_nick\":\"…\"}");
        }
        return node;
    }

    /** The seller the message is about: explicit id, explicit nick, then the content's user_id, seller_nick, nick. */
    private CompletableFuture<TmcUser> seller(Request r, JsonNode content) {
        Long id = r.userId();
        String nick = r.userNick();
        if (id == null && nick == null) {
            JsonNode uid = content.get("user_id");
            if (uid != null && !uid.isNull()) {
                id = wholeNumber(uid);
                if (id == null || id <= 0) {
                    throw TmcFailure.invalid("content", "the content's user_id must be a TOP user id (a positive "
                            + "whole number)");
                }
            } else {
                nick = text(content.get("seller_nick"));
                if (nick == null) {
                    nick = text(content.get("nick"));
                }
            }
        }
        if (id == null && nick == null) {
            throw TmcFailure.invalid("content", "the content names no seller: give user_id, or seller_nick (or nick)");
        }
        String named = id != null ? "user id " + id : "nick '" + TmcParams.abbreviate(nick) + "'";
        CompletableFuture<Optional<TmcUser>> found = id != null ? metadata.tmcUsers().get(Long.toString(id))
                : metadata.tmcUserByNick(nick);
        return found.thenApply(u -> u.orElseThrow(() -> failure(15, "isv.user-not-exist", "no seller with " + named
                + " and a TOP user id")));
    }

    private CompletableFuture<Long> publish(ConfigSnapshot config, Request r, Topic topic, JsonNode content,
                                            TmcUser user) {
        List<QueueName> queues = route(config, topic.name(), user, r.targetApp(), r.targetGroup());
        queues.addAll(SyncQueues.route(config, topic.name(), user)); // the order sync's own subscription
        long id;
        try {
            id = broker.ids().next();
        } catch (BrokerException e) {
            return CompletableFuture.failedFuture(e);
        }
        BrokerMessage message = new BrokerMessage(id, topic.name(), r.publisher(), clock.millis(), user.userId(),
                user.nick(), r.content(), dataId(topic, content));
        return broker.publish(message, queues).thenApply(ignored -> id);
    }

    /** The receiving queues: subscribed apps whose permit from the seller covers the topic, in the seller's group. */
    static List<QueueName> route(ConfigSnapshot config, String topic, TmcUser user, String targetApp,
                                 String targetGroup) {
        List<QueueName> queues = new ArrayList<>();
        for (TmcUser.Permit p : user.permits()) {
            if (targetApp != null && !targetApp.equals(p.appKey())) {
                continue;
            }
            Subscription sub = config.subscriptions().get(p.appKey());
            if (sub == null || !sub.subscribes(topic) || !(p.allSubscribed() || p.topics().contains(topic))) {
                continue;
            }
            if (targetGroup != null && !targetGroup.equals(p.groupName())) {
                continue;
            }
            queues.add(new QueueName(p.appKey(), p.groupName()));
        }
        return queues;
    }

    /** The content's business id: the topic's {@code dataIdField}, a positive whole number (or digits); else 0. */
    static long dataId(Topic topic, JsonNode content) {
        if (topic.dataIdField() == null) {
            return 0;
        }
        Long v = wholeNumber(content.get(topic.dataIdField()));
        return v == null || v < 0 ? 0 : v;
    }

    private static Long wholeNumber(JsonNode n) {
        if (n == null) {
            return null;
        }
        if (n.isIntegralNumber() && n.canConvertToLong()) {
            return n.longValue();
        }
        if (n.isString()) {
            String s = n.asString();
            if (!s.isEmpty() && s.length() <= 19 && s.chars().allMatch(Character::isDigit)) {
                try {
                    return Long.parseLong(s);
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
        return null;
    }

    private static String text(JsonNode n) {
        return n != null && n.isString() && !n.asString().isBlank() ? n.asString() : null;
    }

    private static TmcFailure failure(int code, String subCode, String message) {
        return new TmcFailure(TopError.of(code, subCode, message));
    }

    private static Reason reason(TmcFailure f) {
        TopError e = f.error();
        String sub = e.subCode() == null ? "" : e.subCode();
        return switch (sub) {
            case "isv.topic-not-exist" -> Reason.UNKNOWN_TOPIC;
            case "isv.permission-topic-produce" -> Reason.NOT_PRODUCER;
            case "isv.content-too-large" -> Reason.CONTENT_TOO_LARGE;
            case "isv.user-not-exist" -> Reason.UNKNOWN_SELLER;
            case "accesscontrol.message-service-overloaded" -> Reason.OVERLOADED;
            case "isp.message-service-unavailable", "isp.metadata-unavailable" -> Reason.UNAVAILABLE;
            default -> sub.startsWith("isv.invalid-parameter:target") ? Reason.INVALID_TARGET
                    : sub.startsWith("isv.") ? Reason.INVALID_CONTENT : Reason.ERROR;
        };
    }
}

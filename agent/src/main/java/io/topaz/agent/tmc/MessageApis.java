package io.topaz.agent.tmc;

import io.topaz.agent.broker.Broker;
import io.topaz.agent.broker.BrokerMessage;
import io.topaz.agent.broker.Delivery;
import io.topaz.agent.broker.QueueName;
import io.topaz.agent.gateway.Call;
import io.topaz.agent.gateway.TopError;
import io.topaz.agent.metadata.MetadataClient;
import io.topaz.model.metadata.TmcGroups;
import io.topaz.model.metadata.TmcUser;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code taobao.tmc.messages.consume} and {@code taobao.tmc.messages.confirm}: the caller's own queue,
 * {@code QueueName(app_key, group_name)}, through the {@link Broker}. A group other than {@code default} must be one of
 * the app's groups ({@code taobao.tmc.group.add}). A confirm only ever touches the caller's queue, so ids of another
 * app's messages (or unknown, or already confirmed) change nothing; the answer counts them ({@code ignored}).
 */
final class MessageApis {

    static final int MIN_QUANTITY = 10;
    static final int MAX_QUANTITY = 200;
    static final int DEFAULT_QUANTITY = 100;
    static final int MAX_CONFIRM_IDS = 200;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Broker broker;
    private final MetadataClient metadata;
    private final TopTimes times;

    MessageApis(Broker broker, MetadataClient metadata, TopTimes times) {
        this.broker = broker;
        this.metadata = metadata;
        this.times = times;
    }

    CompletableFuture<ObjectNode> consume(Call call) {
        Broker b = broker();
        int quantity = TmcParams.integer(call, "quantity", DEFAULT_QUANTITY, MIN_QUANTITY, MAX_QUANTITY);
        String group = TmcParams.group(call);
        return queue(call.appKey(), group)
                .thenCompose(q -> b.consume(q, quantity))
                .thenApply(this::messages);
    }

    CompletableFuture<ObjectNode> confirm(Call call) {
        Broker b = broker();
        long[] confirmed = TmcParams.messageIds(call, "s_message_ids", MAX_CONFIRM_IDS);
        long[] failed = TmcParams.messageIds(call, "f_message_ids", MAX_CONFIRM_IDS);
        String group = TmcParams.group(call);
        return queue(call.appKey(), group)
                .thenCompose(q -> b.confirm(q, confirmed, failed))
                .thenApply(outcome -> {
                    ObjectNode o = NODES.objectNode();
                    o.put("is_success", true);
                    // Topaz's additions (TOP's answer has is_success only): what the confirm did
                    o.put("confirmed", outcome.confirmed());
                    o.put("failed", outcome.failed());
                    o.put("ignored", outcome.ignored());
                    return o;
                });
    }

    /** The caller's queue of {@code group}, once the group is known to exist. */
    private CompletableFuture<QueueName> queue(String appKey, String group) {
        QueueName q = new QueueName(appKey, group);
        if (TmcUser.DEFAULT_GROUP.equals(group)) {
            return CompletableFuture.completedFuture(q);
        }
        return metadata.tmcGroups().get(appKey).thenApply(g -> {
            if (g.map(TmcGroups::groups).orElse(List.of()).contains(group)) {
                return q;
            }
            throw new TmcFailure(TopError.of(15, "isv.group-not-exist", "app '" + appKey + "' has no consumer group '"
                    + group + "' (create it with taobao.tmc.group.add)"));
        });
    }

    /** TOP's {@code messages.tmc_message[]}; an empty queue answers {@code "messages":{}}. */
    private ObjectNode messages(List<Delivery> deliveries) {
        ObjectNode out = NODES.objectNode();
        ObjectNode messages = out.putObject("messages");
        if (!deliveries.isEmpty()) {
            ArrayNode list = messages.putArray("tmc_message");
            for (Delivery d : deliveries) {
                list.add(message(d.message()));
            }
        }
        return out;
    }

    ObjectNode message(BrokerMessage m) {
        ObjectNode o = NODES.objectNode();
        o.put("id", m.id());
        o.put("topic", m.topic());
        o.put("pub_app_key", m.publisher());
        o.put("pub_time", times.format(m.pubTimeMillis()));
        o.put("user_id", m.userId());
        o.put("user_nick", m.userNick());
        o.put("content", m.content());
        return o;
    }

    private Broker broker() {
        if (broker == null) {
            throw BrokerErrors.noBroker();
        }
        return broker;
    }
}

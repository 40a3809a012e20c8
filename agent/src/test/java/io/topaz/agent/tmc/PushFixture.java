package io.topaz.agent.tmc;

import io.topaz.agent.broker.Broker;
import io.topaz.agent.broker.QueueName;
import io.topaz.agent.metadata.MetadataClient;
import io.topaz.model.config.ConfigSnapshot;
import tools.jackson.databind.JsonNode;

/**
 * The message service's test world for other packages' tests (the push WebSocket's): a {@link TmcHarness} — a real
 * gateway with {@link TmcApis} over an in-memory {@link TestBroker}, the metadata cache reading a fake control plane —
 * with what those tests need made public. Apps {@link #CONSUMER} (subscribes to {@link #CHANGED}), {@link #PRODUCER}
 * (may produce it) and {@link #PLAIN} (no {@code tmc} permission), all with secret {@link #SECRET}.
 */
public final class PushFixture implements AutoCloseable {

    public static final String CONSUMER = TmcHarness.CONSUMER;
    public static final String PRODUCER = TmcHarness.PRODUCER;
    public static final String PLAIN = TmcHarness.PLAIN;
    public static final String SECRET = TmcHarness.SECRET;
    public static final String CHANGED = TmcHarness.CHANGED;
    public static final String SELLER_A = TmcHarness.SELLER_A;

    private final TmcHarness h;

    public PushFixture() throws Exception {
        h = new TmcHarness(true);
    }

    public Broker broker() {
        return h.broker;
    }

    public MetadataClient metadata() {
        return h.metadata;
    }

    public TmcApis apis() {
        return h.apis;
    }

    public ConfigSnapshot config() {
        return h.config;
    }

    /** Seller A permits the consumer app for every topic it subscribes to (group {@code default}). */
    public void permitConsumer() throws Exception {
        h.permit(CONSUMER, TmcHarness.SESSION_A, null);
    }

    /** Adds {@code group} to the consumer app's groups, with seller A in it. */
    public void consumerGroup(String group) throws Exception {
        JsonNode r = h.call(CONSUMER, "taobao.tmc.group.add", "group_name", group, "nicks", "seller-a");
        if (!r.at("/tmc_group_add_response/is_success").asBoolean(false)) {
            throw new AssertionError("group.add failed: " + r);
        }
    }

    /** Produces {@code content} on {@link #CHANGED} through the gateway, as the producer app; the message id. */
    public long produce(String content) throws Exception {
        JsonNode r = h.produce(CHANGED, content);
        JsonNode id = r.at("/tmc_message_produce_response/msg_ids/number/0");
        if (id.isMissingNode()) {
            throw new AssertionError("produce failed: " + r);
        }
        return id.asLong();
    }

    /** {@code taobao.tmc.messages.consume} by the consumer app (pull, through the gateway): the ids handed out. */
    public java.util.List<Long> pull(String group, int quantity) throws Exception {
        JsonNode r = h.call(CONSUMER, "taobao.tmc.messages.consume", "group_name", group, "quantity",
                Integer.toString(quantity));
        JsonNode messages = r.at("/tmc_messages_consume_response/messages");
        if (messages.isMissingNode()) {
            throw new AssertionError("consume failed: " + r);
        }
        java.util.List<Long> ids = new java.util.ArrayList<>();
        messages.path("tmc_message").forEach(m -> ids.add(m.path("id").asLong()));
        return ids;
    }

    /** {@code taobao.tmc.messages.confirm} of {@code ids} by the consumer app (pull): how many were confirmed. */
    public long confirmPulled(String group, java.util.Collection<Long> ids) throws Exception {
        JsonNode r = h.call(CONSUMER, "taobao.tmc.messages.confirm", "group_name", group, "s_message_ids",
                String.join(",", ids.stream().map(String::valueOf).toList()));
        JsonNode n = r.at("/tmc_messages_confirm_response/confirmed");
        if (n.isMissingNode()) {
            throw new AssertionError("confirm failed: " + r);
        }
        return n.asLong();
    }

    /** Messages of the queue not yet confirmed (pending or in flight). */
    public int backlog(QueueName q) {
        return h.broker.backlog(q);
    }

    @Override
    public void close() {
        h.close();
    }
}

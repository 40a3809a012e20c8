package io.topaz.agent.tmc;

import io.topaz.agent.broker.BrokerException;
import io.topaz.agent.broker.QueueName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static io.topaz.agent.tmc.TmcHarness.CHANGED;
import static io.topaz.agent.tmc.TmcHarness.CONSUMER;
import static io.topaz.agent.tmc.TmcHarness.CREATED;
import static io.topaz.agent.tmc.TmcHarness.OTHER;
import static io.topaz.agent.tmc.TmcHarness.PRODUCER;
import static io.topaz.agent.tmc.TmcHarness.SESSION_A;
import static io.topaz.agent.tmc.TmcHarness.SESSION_A_OTHER;
import static io.topaz.agent.tmc.TmcHarness.SESSION_B;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Produce → route → consume → confirm through the real gateway: a message about a seller reaches exactly the apps the
 * seller permitted for its topic, in the seller's group of each, and is acknowledged only once the broker has it.
 */
class TmcMessagesTest {

    private static TmcHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = new TmcHarness(true);
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @BeforeEach
    void fresh() {
        h.reset();
    }

    @Test
    void aProducedMessageReachesEachPermittedAppAndIsConsumedAndConfirmedOnce() throws Exception {
        h.permit(CONSUMER, SESSION_A, null);
        h.permit(OTHER, SESSION_A_OTHER, CHANGED);
        double before = h.registry.counter("topaz.broker.produced", "topic", CHANGED).count();

        JsonNode produced = h.produce(CHANGED, "{\"tid\":42,\"seller_nick\":\"seller-a\",\"status\":\"PAID\"}")
                .get("tmc_message_produce_response");
        assertThat(produced.get("is_success").asBoolean()).isTrue();
        long id = produced.get("msg_ids").get("number").get(0).asLong();
        assertThat(h.broker.published).hasSize(1);
        TestBroker.Published p = h.broker.published.get(0);
        assertThat(p.message().id()).isEqualTo(id);
        assertThat(p.message().dataId()).as("the topic's dataIdField, tid").isEqualTo(42);
        assertThat(p.message().userId()).isEqualTo(1001);
        assertThat(p.message().userNick()).isEqualTo("seller-a");
        assertThat(p.message().publisher()).isEqualTo(PRODUCER);
        assertThat(p.queues()).containsExactlyInAnyOrder(new QueueName(CONSUMER, "default"),
                new QueueName(OTHER, "default"));

        JsonNode consumed = h.call(CONSUMER, "taobao.tmc.messages.consume", "quantity", "10")
                .get("tmc_messages_consume_response");
        JsonNode m = consumed.get("messages").get("tmc_message").get(0);
        assertThat(consumed.get("messages").get("tmc_message")).hasSize(1);
        assertThat(m.get("id").asLong()).isEqualTo(id);
        assertThat(m.get("topic").asString()).isEqualTo(CHANGED);
        assertThat(m.get("pub_app_key").asString()).isEqualTo(PRODUCER);
        assertThat(m.get("pub_time").asString()).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d");
        assertThat(m.get("user_id").isIntegralNumber()).isTrue();
        assertThat(m.get("user_id").asLong()).isEqualTo(1001);
        assertThat(m.get("user_nick").asString()).isEqualTo("seller-a");
        assertThat(m.get("content").asString()).isEqualTo("{\"tid\":42,\"seller_nick\":\"seller-a\",\"status\":\"PAID\"}");
        assertThat(consumed.get("request_id").asString()).isNotEmpty();

        assertThat(h.call(CONSUMER, "taobao.tmc.messages.consume").toString())
                .as("a message in flight is not handed out again").contains("\"messages\":{}");

        JsonNode confirmed = h.call(CONSUMER, "taobao.tmc.messages.confirm", "s_message_ids", Long.toString(id))
                .get("tmc_messages_confirm_response");
        assertThat(confirmed.get("is_success").asBoolean()).isTrue();
        assertThat(confirmed.get("confirmed").asInt()).isEqualTo(1);
        assertThat(h.broker.backlog(new QueueName(CONSUMER, "default"))).isZero();
        assertThat(h.broker.backlog(new QueueName(OTHER, "default"))).as("the other app's copy is its own").isEqualTo(1);

        assertThat(h.registry.get("topaz.broker.produced").tag("topic", CHANGED).counter().count() - before)
                .isEqualTo(1);
    }

    @Test
    void messagesGoToTheSellersGroupOfEachApp() throws Exception {
        h.permit(CONSUMER, SESSION_A, null);
        h.permit(CONSUMER, SESSION_B, null);
        assertThat(h.call(CONSUMER, "taobao.tmc.group.add", "group_name", "vip", "nicks", "seller-a")
                .get("tmc_group_add_response").get("is_success").asBoolean()).isTrue();

        h.produce(CHANGED, "{\"tid\":1,\"seller_nick\":\"seller-a\"}");
        h.produce(CHANGED, "{\"tid\":2,\"user_id\":1002}");
        assertThat(h.broker.published.get(0).queues()).containsExactly(new QueueName(CONSUMER, "vip"));
        assertThat(h.broker.published.get(1).queues()).containsExactly(new QueueName(CONSUMER, "default"));

        JsonNode vip = h.call(CONSUMER, "taobao.tmc.messages.consume", "group_name", "vip");
        assertThat(vip.at("/tmc_messages_consume_response/messages/tmc_message/0/user_nick").asString())
                .isEqualTo("seller-a");
        JsonNode def = h.call(CONSUMER, "taobao.tmc.messages.consume");
        assertThat(def.at("/tmc_messages_consume_response/messages/tmc_message")).hasSize(1);
        assertThat(def.at("/tmc_messages_consume_response/messages/tmc_message/0/user_nick").asString())
                .isEqualTo("seller-b");
    }

    @Test
    void aPermitForSomeTopicsAndTheTargetsNarrowTheReceivers() throws Exception {
        h.permit(CONSUMER, SESSION_A, CHANGED);
        h.permit(OTHER, SESSION_A_OTHER, null);

        h.produce(CREATED, "{\"seller_nick\":\"seller-a\"}");
        assertThat(h.broker.published.get(0).queues()).as("consumer-app was not permitted TradeCreate; other-app does "
                + "not subscribe to it").isEmpty();
        h.produce(CHANGED, "{\"seller_nick\":\"seller-a\"}", "target_appkey", OTHER);
        assertThat(h.broker.published.get(1).queues()).containsExactly(new QueueName(OTHER, "default"));
        h.produce(CHANGED, "{\"seller_nick\":\"seller-a\"}", "target_group", "vip");
        assertThat(h.broker.published.get(2).queues()).isEmpty();
        JsonNode answer = h.produce(CHANGED, "{\"seller_nick\":\"seller-c\"}");
        assertThat(answer.at("/tmc_message_produce_response/is_success").asBoolean())
                .as("a seller who permitted no app: acknowledged, stored nowhere").isTrue();
        assertThat(h.broker.published.get(3).queues()).isEmpty();
    }

    @Test
    void aFailedMessageComesBackAndConfirmingAnotherAppsIdsChangesNothing() throws Exception {
        h.permit(CONSUMER, SESSION_A, null);
        h.permit(OTHER, SESSION_A_OTHER, null);
        long id = h.produce(CHANGED, "{\"seller_nick\":\"seller-a\"}", "target_appkey", CONSUMER)
                .at("/tmc_message_produce_response/msg_ids/number/0").asLong();
        assertThat(h.call(CONSUMER, "taobao.tmc.messages.consume").at("/tmc_messages_consume_response/messages/"
                + "tmc_message/0/id").asLong()).isEqualTo(id);

        JsonNode foreign = h.call(OTHER, "taobao.tmc.messages.confirm", "s_message_ids", id + ",999999",
                "f_message_ids", Long.toString(id)).get("tmc_messages_confirm_response");
        assertThat(foreign.get("confirmed").asInt()).isZero();
        assertThat(foreign.get("failed").asInt()).isZero();
        assertThat(foreign.get("ignored").asInt()).isEqualTo(3);
        assertThat(h.broker.backlog(new QueueName(CONSUMER, "default"))).isEqualTo(1);

        JsonNode failed = h.call(CONSUMER, "taobao.tmc.messages.confirm", "s_message_ids", "999999",
                "f_message_ids", Long.toString(id)).get("tmc_messages_confirm_response");
        assertThat(failed.get("failed").asInt()).isEqualTo(1);
        assertThat(failed.get("ignored").asInt()).isEqualTo(1);
        assertThat(h.call(CONSUMER, "taobao.tmc.messages.consume").at("/tmc_messages_consume_response/messages/"
                + "tmc_message/0/id").asLong()).as("delivered again").isEqualTo(id);
        assertThat(h.call(CONSUMER, "taobao.tmc.messages.confirm", "s_message_ids", Long.toString(id))
                .at("/tmc_messages_confirm_response/confirmed").asInt()).isEqualTo(1);
        assertThat(h.call(CONSUMER, "taobao.tmc.messages.confirm", "s_message_ids", Long.toString(id))
                .at("/tmc_messages_confirm_response/ignored").asInt()).as("already confirmed").isEqualTo(1);
    }

    @Test
    void aBatchProducesEachMessageOnItsOwn() throws Exception {
        h.permit(CONSUMER, SESSION_A, null);
        JsonNode r = h.call(PRODUCER, "taobao.tmc.messages.produce", "messages", "[{\"topic\":\"" + CHANGED
                + "\",\"content\":\"{\\\"tid\\\":5,\\\"seller_nick\\\":\\\"seller-a\\\"}\"},"
                + "{\"topic\":\"taobao_trade_NoSuch\",\"content\":\"{\\\"seller_nick\\\":\\\"seller-a\\\"}\"},"
                + "{\"topic\":\"" + CREATED + "\",\"content\":{\"seller_nick\":\"seller-a\"}}]")
                .get("tmc_messages_produce_response");
        JsonNode results = r.get("results").get("tmc_produce_result");
        assertThat(results).hasSize(3);
        assertThat(results.get(0).get("is_success").asBoolean()).isTrue();
        assertThat(results.get(1).get("is_success").asBoolean()).isFalse();
        assertThat(results.get(1).get("error_code").asString()).isEqualTo("isv.topic-not-exist");
        assertThat(results.get(2).get("is_success").asBoolean()).isTrue();
        assertThat(r.get("is_all_success").asBoolean()).isFalse();
        assertThat(h.broker.published).hasSize(2);
        assertThat(h.broker.published).filteredOn(p -> p.message().topic().equals(CHANGED))
                .singleElement().satisfies(p -> assertThat(p.message().dataId()).isEqualTo(5));
    }

    @Test
    void answersComeInXmlAndSimplifiedJsonToo() throws Exception {
        h.permit(CONSUMER, SESSION_A, null);
        String empty = h.raw(CONSUMER, "xml", "taobao.tmc.messages.consume");
        assertThat(empty).startsWith("<?xml").contains("<tmc_messages_consume_response>").contains("<messages")
                .doesNotContain("<tmc_message>");
        h.produce(CHANGED, "{\"tid\":9,\"seller_nick\":\"seller-a\"}");
        String xml = h.raw(CONSUMER, null, "taobao.tmc.messages.consume");
        assertThat(xml).contains("<tmc_message>").contains("<topic>" + CHANGED + "</topic>")
                .contains("<user_nick>seller-a</user_nick>").contains("<pub_app_key>" + PRODUCER + "</pub_app_key>");
        String simple = h.raw(PRODUCER, "json", "taobao.tmc.message.produce", "topic", CHANGED, "content",
                "{\"seller_nick\":\"seller-a\"}", "simplify", "true");
        assertThat(simple).startsWith("{\"is_success\":true,\"msg_ids\":");
    }

    @Test
    void anOverloadedOrUnavailableBrokerIsARetryableErrorAndNothingIsAcknowledged() throws Exception {
        h.permit(CONSUMER, SESSION_A, null);
        double overloadedBefore = h.registry.counter("topaz.broker.produce.failures", "reason", "overloaded").count();
        double unavailableBefore = h.registry.counter("topaz.broker.produce.failures", "reason", "unavailable").count();
        h.broker.failNext(BrokerException.Kind.OVERLOADED);
        JsonNode overloaded = TmcHarness.error(h.produce(CHANGED, "{\"seller_nick\":\"seller-a\"}"));
        assertThat(overloaded.get("code").asInt()).isEqualTo(7);
        assertThat(overloaded.get("sub_code").asString()).isEqualTo("accesscontrol.message-service-overloaded");

        h.broker.failNext(BrokerException.Kind.UNAVAILABLE);
        JsonNode unavailable = TmcHarness.error(h.produce(CHANGED, "{\"seller_nick\":\"seller-a\"}"));
        assertThat(unavailable.get("code").asInt()).isEqualTo(10);
        assertThat(unavailable.get("sub_code").asString()).isEqualTo("isp.message-service-unavailable");
        assertThat(h.broker.published).isEmpty();

        h.broker.failNext(BrokerException.Kind.INTERNAL);
        JsonNode consume = TmcHarness.error(h.call(CONSUMER, "taobao.tmc.messages.consume"));
        assertThat(consume.get("sub_code").asString()).isEqualTo("isp.message-service-error");
        assertThat(h.registry.get("topaz.broker.produce.failures").tag("reason", "overloaded").counter().count()
                - overloadedBefore).isEqualTo(1);
        assertThat(h.registry.get("topaz.broker.produce.failures").tag("reason", "unavailable").counter().count()
                - unavailableBefore).isEqualTo(1);
    }
}

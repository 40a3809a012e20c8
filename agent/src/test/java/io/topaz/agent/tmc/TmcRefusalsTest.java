package io.topaz.agent.tmc;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.StringJoiner;

import static io.topaz.agent.tmc.TmcHarness.CHANGED;
import static io.topaz.agent.tmc.TmcHarness.CONSUMER;
import static io.topaz.agent.tmc.TmcHarness.PLAIN;
import static io.topaz.agent.tmc.TmcHarness.PRODUCER;
import static io.topaz.agent.tmc.TmcHarness.REFUND;
import static io.topaz.agent.tmc.TmcHarness.SESSION_A;
import static org.assertj.core.api.Assertions.assertThat;

/** Bad input to the message service's methods: a TOP error naming what is wrong, and nothing published. */
class TmcRefusalsTest {

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
    void fresh() throws Exception {
        h.reset();
        h.permit(CONSUMER, SESSION_A, null);
    }

    @AfterEach
    void nothingPublished() {
        assertThat(h.broker.published).as("bad input stores nothing").isEmpty();
    }

    private static void refused(JsonNode answer, int code, String subCode, String inMessage) {
        JsonNode e = TmcHarness.error(answer);
        assertThat(e.get("code").asInt()).as(e.toString()).isEqualTo(code);
        assertThat(e.get("sub_code").asString()).isEqualTo(subCode);
        assertThat(e.get("sub_msg").asString()).contains(inMessage);
        assertThat(e.get("request_id").asString()).isNotEmpty();
    }

    @Test
    void produceRefusesAnUnknownTopicAndAProducerNotListed() throws Exception {
        double before = h.registry.counter("topaz.broker.produce.failures", "reason", "unknown-topic").count();
        refused(h.produce("taobao_trade_NoSuch", "{\"seller_nick\":\"seller-a\"}"), 15, "isv.topic-not-exist",
                "taobao_trade_NoSuch");
        refused(h.produce(REFUND, "{\"seller_nick\":\"seller-a\"}"), 11, "isv.permission-topic-produce",
                "producerApps");
        assertThat(h.registry.get("topaz.broker.produce.failures").tag("reason", "unknown-topic").counter().count()
                - before).isEqualTo(1);
    }

    @Test
    void produceRefusesContentThatIsNotAJsonObjectWithinTheLimit() throws Exception {
        refused(h.produce(CHANGED, "tid=1"), 41, "isv.invalid-parameter:content", "JSON object");
        refused(h.produce(CHANGED, "[1,2]"), 41, "isv.invalid-parameter:content", "JSON object");
        refused(h.produce(CHANGED, "{\"seller_nick\":\"seller-a\""), 41, "isv.invalid-parameter:content", "JSON");
        StringJoiner big = new StringJoiner(",", "{\"seller_nick\":\"seller-a\",\"items\":[", "]}");
        for (int i = 0; i < 8_000; i++) {
            big.add("\"item-" + i + "\"");
        }
        refused(h.produce(CHANGED, big.toString()), 41, "isv.content-too-large", "65536");
        refused(h.produce(CHANGED, "{\"tid\":1}"), 41, "isv.invalid-parameter:content", "names no seller");
        refused(h.produce(CHANGED, "{\"user_id\":\"abc\"}"), 41, "isv.invalid-parameter:content", "user_id");
    }

    @Test
    void produceRefusesASellerItCannotResolve() throws Exception {
        refused(h.produce(CHANGED, "{\"seller_nick\":\"nobody\"}"), 15, "isv.user-not-exist", "nobody");
        refused(h.produce(CHANGED, "{\"nick\":\"text-seller\"}"), 15, "isv.user-not-exist", "TOP user id");
        refused(h.produce(CHANGED, "{\"user_id\":987654}"), 15, "isv.user-not-exist", "987654");
        refused(h.produce(CHANGED, "{\"seller_nick\":\"seller-a\"}", "delay_millis", "5000"), 41,
                "isv.invalid-parameter:delay_millis", "not served");
        refused(h.produce(CHANGED, "{\"seller_nick\":\"seller-a\"}", "target_group", "a/b"), 41,
                "isv.invalid-parameter:target_group", "group name");
    }

    @Test
    void aBatchOfMoreThanFiftyOrNotAnArrayIsRefused() throws Exception {
        StringJoiner many = new StringJoiner(",", "[", "]");
        for (int i = 0; i < 51; i++) {
            many.add("{\"topic\":\"" + CHANGED + "\",\"content\":\"{}\"}");
        }
        refused(h.call(PRODUCER, "taobao.tmc.messages.produce", "messages", many.toString()), 41,
                "isv.invalid-parameter:messages", "at most 50");
        refused(h.call(PRODUCER, "taobao.tmc.messages.produce", "messages", "{\"topic\":1}"), 41,
                "isv.invalid-parameter:messages", "JSON array");
        refused(h.call(PRODUCER, "taobao.tmc.message.produce", "topic", CHANGED), 40,
                "isv.missing-parameter:content", "content");
    }

    @Test
    void consumeRefusesAnUnknownGroupAndAQuantityOutOfRange() throws Exception {
        refused(h.call(CONSUMER, "taobao.tmc.messages.consume", "group_name", "vip"), 15, "isv.group-not-exist",
                "vip");
        refused(h.call(CONSUMER, "taobao.tmc.messages.consume", "group_name", "../x"), 41,
                "isv.invalid-parameter:group_name", "group_name");
        refused(h.call(CONSUMER, "taobao.tmc.messages.consume", "quantity", "9"), 41,
                "isv.invalid-parameter:quantity", "10 to 200");
        refused(h.call(CONSUMER, "taobao.tmc.messages.consume", "quantity", "201"), 41,
                "isv.invalid-parameter:quantity", "10 to 200");
        refused(h.call(CONSUMER, "taobao.tmc.messages.consume", "quantity", "many"), 41,
                "isv.invalid-parameter:quantity", "whole number");
    }

    @Test
    void confirmRefusesMalformedOrTooManyIds() throws Exception {
        refused(h.call(CONSUMER, "taobao.tmc.messages.confirm"), 40, "isv.missing-parameter:s_message_ids",
                "s_message_ids");
        refused(h.call(CONSUMER, "taobao.tmc.messages.confirm", "s_message_ids", "1,x"), 41,
                "isv.invalid-parameter:s_message_ids", "'x'");
        refused(h.call(CONSUMER, "taobao.tmc.messages.confirm", "s_message_ids", "9007199254740992"), 41,
                "isv.invalid-parameter:s_message_ids", "2^53");
        StringJoiner ids = new StringJoiner(",");
        for (int i = 1; i <= 201; i++) {
            ids.add(Integer.toString(i));
        }
        refused(h.call(CONSUMER, "taobao.tmc.messages.confirm", "s_message_ids", ids.toString()), 41,
                "isv.invalid-parameter:s_message_ids", "at most 200");
        refused(h.call(CONSUMER, "taobao.tmc.messages.confirm", "s_message_ids", "1", "group_name", "vip"), 15,
                "isv.group-not-exist", "vip");
    }

    @Test
    void anAppWithoutTheTmcGroupMayNotCallTheMethods() throws Exception {
        refused(h.call(PLAIN, "taobao.tmc.messages.consume"), 11, "isv.permission-api-package-limit", "'tmc'");
        refused(h.call(PLAIN, "taobao.tmc.message.produce", "topic", CHANGED, "content", "{}"), 11,
                "isv.permission-api-package-limit", "'tmc'");
        refused(h.call(CONSUMER, "taobao.tmc.user.permit"), 26, "isv.missing-parameter:session", "session");
        refused(h.call(CONSUMER, "taobao.tmc.user.permit", "session", "no-such-session"), 27, "isv.invalid-session",
                "session");
        refused(h.call(CONSUMER, "taobao.tmc.nothing.here"), 22, "isv.invalid-method", "taobao.tmc.nothing.here");
    }
}

package io.topaz.agent.tmc;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static io.topaz.agent.tmc.TmcHarness.CHANGED;
import static io.topaz.agent.tmc.TmcHarness.CONSUMER;
import static io.topaz.agent.tmc.TmcHarness.CREATED;
import static io.topaz.agent.tmc.TmcHarness.REFUND;
import static io.topaz.agent.tmc.TmcHarness.SESSION_A;
import static io.topaz.agent.tmc.TmcHarness.SESSION_B;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code taobao.tmc.user.*} and {@code taobao.tmc.group(s).*} through the real gateway against a fake of the control
 * plane's AGENT API: each method's request, TOP's answer shape, and refusals mapped to TOP errors.
 */
class TmcPermitsTest {

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
    void permitGetAndCancel() throws Exception {
        h.permit(CONSUMER, SESSION_A, null);
        assertThat(h.controlPlane.requests).anyMatch(r -> r.equals("POST /api/v1/metadata/tmc/apps/" + CONSUMER
                + "/permits/permit"));
        JsonNode user = h.call(CONSUMER, "taobao.tmc.user.get", "nick", "seller-a", "fields",
                "user_nick,user_id,topics,group_name,is_valid,created,no_such_field").get("tmc_user_get_response")
                .get("tmc_user");
        assertThat(user.get("user_nick").asString()).isEqualTo("seller-a");
        assertThat(user.get("user_id").asLong()).isEqualTo(1001);
        assertThat(user.get("topics").get("string").toString()).isEqualTo("[\"" + CHANGED + "\",\"" + CREATED + "\"]");
        assertThat(user.get("group_name").asString()).isEqualTo("default");
        assertThat(user.get("is_valid").asBoolean()).isTrue();
        assertThat(user.get("created").asString()).isEqualTo("2025-12-01 12:00:01");
        assertThat(user.has("modified")).as("only the fields asked for").isFalse();
        assertThat(user.has("no_such_field")).isFalse();

        h.permit(CONSUMER, SESSION_A, CHANGED);
        assertThat(h.call(CONSUMER, "taobao.tmc.user.get", "nick", "seller-a", "fields", "topics")
                .at("/tmc_user_get_response/tmc_user/topics/string").toString()).isEqualTo("[\"" + CHANGED + "\"]");

        String xml = h.raw(CONSUMER, "xml", "taobao.tmc.user.get", "nick", "seller-a", "fields", "topics,user_nick");
        assertThat(xml).contains("<tmc_user><topics list=\"true\"><string>" + CHANGED + "</string></topics>"
                + "<user_nick>seller-a</user_nick></tmc_user>");

        assertThat(h.call(CONSUMER, "taobao.tmc.user.cancel", "nick", "seller-a")
                .at("/tmc_user_cancel_response/is_success").asBoolean()).isTrue();
        assertThat(h.call(CONSUMER, "taobao.tmc.user.cancel", "nick", "seller-a")
                .at("/tmc_user_cancel_response/is_success").asBoolean()).as("no permit left: false, no error")
                .isFalse();
        JsonNode none = h.call(CONSUMER, "taobao.tmc.user.get", "nick", "seller-a", "fields", "topics");
        assertThat(none.get("tmc_user_get_response").has("tmc_user")).as("a seller without a permit").isFalse();
    }

    @Test
    void badPermitsAndGetsAreRefused() throws Exception {
        JsonNode notSubscribed = TmcHarness.error(h.call(CONSUMER, "taobao.tmc.user.permit", "session", SESSION_A,
                "topics", CHANGED + "," + REFUND));
        assertThat(notSubscribed.get("code").asInt()).isEqualTo(41);
        assertThat(notSubscribed.get("sub_code").asString()).isEqualTo("isv.invalid-parameter:topics");
        assertThat(notSubscribed.get("sub_msg").asString()).contains("topics[1] '" + REFUND + "'")
                .contains("is not a topic app");

        JsonNode noTopics = TmcHarness.error(h.call(CONSUMER, "taobao.tmc.user.get", "nick", "seller-a",
                "fields", "user_nick"));
        assertThat(noTopics.get("sub_code").asString()).isEqualTo("isv.invalid-parameter:fields");
        assertThat(TmcHarness.error(h.call(CONSUMER, "taobao.tmc.user.get", "fields", "topics"))
                .get("sub_code").asString()).isEqualTo("isv.missing-parameter:nick");
        assertThat(TmcHarness.error(h.call(CONSUMER, "taobao.tmc.user.cancel", "nick", "seller-a", "user_platform",
                "icbu")).get("sub_code").asString()).isEqualTo("isv.invalid-parameter:user_platform");
    }

    @Test
    void groupsAreAddedListedAndDeleted() throws Exception {
        h.permit(CONSUMER, SESSION_A, null);
        h.permit(CONSUMER, SESSION_B, null);
        assertThat(h.call(CONSUMER, "taobao.tmc.groups.get").get("tmc_groups_get_response").toString())
                .contains("\"groups\":{}").contains("\"total_results\":0");

        assertThat(h.call(CONSUMER, "taobao.tmc.group.add", "group_name", "vip", "nicks", "seller-a,seller-b")
                .at("/tmc_group_add_response/is_success").asBoolean()).isTrue();
        assertThat(h.call(CONSUMER, "taobao.tmc.group.add", "group_name", "night")
                .at("/tmc_group_add_response/is_success").asBoolean()).isTrue();
        JsonNode page = h.call(CONSUMER, "taobao.tmc.groups.get", "page_size", "1", "page_no", "2")
                .get("tmc_groups_get_response");
        assertThat(page.get("total_results").asLong()).isEqualTo(2);
        assertThat(page.at("/groups/tmc_group")).hasSize(1);
        assertThat(page.at("/groups/tmc_group/0/name").asString()).isEqualTo("vip");
        assertThat(page.at("/groups/tmc_group/0/users/string").toString()).isEqualTo("[\"seller-a\",\"seller-b\"]");
        assertThat(page.at("/groups/tmc_group/0/created").asString()).matches("2025-12-01 12:00:\\d\\d");
        assertThat(h.controlPlane.requests).contains("GET /api/v1/metadata/tmc/apps/" + CONSUMER
                + "/groups?page=1&size=1");
        JsonNode named = h.call(CONSUMER, "taobao.tmc.groups.get", "group_names", "night").get("tmc_groups_get_response");
        assertThat(named.get("total_results").asLong()).isEqualTo(1);
        assertThat(named.at("/groups/tmc_group/0/users").toString()).isEqualTo("{}");

        assertThat(h.call(CONSUMER, "taobao.tmc.group.delete", "group_name", "vip", "nicks", "seller-b")
                .at("/tmc_group_delete_response/is_success").asBoolean()).isTrue();
        assertThat(h.call(CONSUMER, "taobao.tmc.user.get", "nick", "seller-b", "fields", "topics,group_name")
                .at("/tmc_user_get_response/tmc_user/group_name").asString()).isEqualTo("default");
        assertThat(h.call(CONSUMER, "taobao.tmc.group.delete", "group_name", "vip")
                .at("/tmc_group_delete_response/is_success").asBoolean()).isTrue();
        JsonNode gone = TmcHarness.error(h.call(CONSUMER, "taobao.tmc.group.delete", "group_name", "vip"));
        assertThat(gone.get("code").asInt()).isEqualTo(15);
        assertThat(gone.get("sub_code").asString()).isEqualTo("isv.group-not-exist");
    }

    @Test
    void badGroupRequestsAreRefused() throws Exception {
        h.permit(CONSUMER, SESSION_A, null);
        JsonNode reserved = TmcHarness.error(h.call(CONSUMER, "taobao.tmc.group.add", "group_name", "default-x",
                "nicks", "seller-a,seller-c"));
        assertThat(reserved.get("code").asInt()).isEqualTo(41);
        assertThat(reserved.get("sub_code").asString()).isEqualTo("isv.invalid-parameter:group_name");
        assertThat(reserved.get("sub_msg").asString()).contains("groupName 'default-x'")
                .contains("nicks[1] 'seller-c': has not permitted app");
        assertThat(TmcHarness.error(h.call(CONSUMER, "taobao.tmc.group.add", "group_name", "vip", "nicks", "seller-c"))
                .get("sub_code").asString()).isEqualTo("isv.invalid-parameter:nicks");
        assertThat(TmcHarness.error(h.call(CONSUMER, "taobao.tmc.groups.get", "page_no", "0"))
                .get("sub_code").asString()).isEqualTo("isv.invalid-parameter:page_no");
        assertThat(TmcHarness.error(h.call(CONSUMER, "taobao.tmc.groups.get", "page_size", "101"))
                .get("sub_code").asString()).isEqualTo("isv.invalid-parameter:page_size");
        assertThat(TmcHarness.error(h.call(CONSUMER, "taobao.tmc.group.add")).get("sub_code").asString())
                .isEqualTo("isv.missing-parameter:group_name");
    }

    @Test
    void aControlPlaneThatRefusesTheTokenIsARetryablePlatformError() throws Exception {
        var executor = Executors.newSingleThreadExecutor();
        try {
            ControlPlaneTmc wrong = new ControlPlaneTmc(h.controlPlane.url(), "not-the-token", executor);
            assertThatThrownBy(() -> wrong.get(CONSUMER, "groups").get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(TmcFailure.class)
                    .satisfies(e -> assertThat(((TmcFailure) e.getCause()).error().subCode())
                            .isEqualTo("isp.control-plane-unavailable"));
            ControlPlaneTmc down = new ControlPlaneTmc("http://127.0.0.1:1", FakeControlPlane.TOKEN, executor);
            assertThatThrownBy(() -> down.get(CONSUMER, "groups").join()).isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(TmcFailure.class);
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void withTwoControlPlanesOfWhichTheFirstIsDeadTheCallsGoToTheSecond() throws Exception {
        var executor = Executors.newSingleThreadExecutor();
        try {
            ControlPlaneTmc two = new ControlPlaneTmc("http://127.0.0.1:1," + h.controlPlane.url(), FakeControlPlane.TOKEN,
                    executor);
            // answered by the live one (200, or 404 for an app without groups), not code 10 from the dead one
            assertThat(two.get(CONSUMER, "groups").get(10, TimeUnit.SECONDS).status()).isIn(200, 404);
            assertThat(h.controlPlane.requests).anyMatch(r -> r.contains("/groups"));
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void withoutABrokerTheBrokersMethodsSaySoAndPermitsStillWork() throws Exception {
        try (TmcHarness none = new TmcHarness(false)) {
            none.permit(CONSUMER, SESSION_A, null);
            JsonNode e = TmcHarness.error(none.call(CONSUMER, "taobao.tmc.messages.consume"));
            assertThat(e.get("code").asInt()).isEqualTo(10);
            assertThat(e.get("sub_code").asString()).isEqualTo("isp.message-service-unavailable");
            assertThat(e.get("sub_msg").asString()).contains("runs no message broker");
            assertThat(TmcHarness.error(none.produce(CHANGED, "{\"seller_nick\":\"seller-a\"}")).get("sub_code")
                    .asString()).isEqualTo("isp.message-service-unavailable");
        }
    }
}

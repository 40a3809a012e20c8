package io.topaz.agent.tmc;

import io.topaz.agent.broker.BrokerException;
import io.topaz.agent.broker.PublishHandler;
import io.topaz.agent.broker.QueueName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static io.topaz.agent.tmc.TmcHarness.CHANGED;
import static io.topaz.agent.tmc.TmcHarness.CONSUMER;
import static io.topaz.agent.tmc.TmcHarness.REFUND;
import static io.topaz.agent.tmc.TmcHarness.SESSION_A;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The broker port's {@code POST /internal/v1/publish} handler: validated and routed as a produce, without the
 * topic's producer list; bad input is {@code INVALID} (400), the broker's failures keep their kind (503).
 */
class PlatformPublishTest {

    private static TmcHarness h;
    private static PublishHandler handler;

    @BeforeAll
    static void start() throws Exception {
        h = new TmcHarness(true);
        handler = h.apis.publishHandler(() -> h.config);
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

    private static String publish(String body) throws Exception {
        return new String(handler.publish("svc-orders", body.getBytes(StandardCharsets.UTF_8))
                .get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
    }

    private static BrokerException refused(String body) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() ->
                handler.publish("svc-orders", body.getBytes(StandardCharsets.UTF_8)).join());
        assertThat(t).isInstanceOf(CompletionException.class).hasCauseInstanceOf(BrokerException.class);
        return (BrokerException) t.getCause();
    }

    @Test
    void aPlatformServicePublishesAnyTopicForASellerByNickOrId() throws Exception {
        String answer = publish("{\"topic\":\"" + CHANGED + "\",\"content\":\"{\\\"tid\\\":77}\",\"userNick\":\"seller-a\"}");
        assertThat(answer).matches("\\{\"msgId\":\\d+}");
        var p = h.broker.published.get(0);
        assertThat(answer).contains(Long.toString(p.message().id()));
        assertThat(p.message().publisher()).isEqualTo("svc-orders");
        assertThat(p.message().dataId()).isEqualTo(77);
        assertThat(p.queues()).containsExactly(new QueueName(CONSUMER, "default"));

        publish("{\"topic\":\"" + CHANGED + "\",\"content\":{\"tid\":78},\"userId\":1001}");
        assertThat(h.broker.published.get(1).message().userNick()).isEqualTo("seller-a");
        // no app may produce the refund topic through the TOP API, a platform service may
        publish("{\"topic\":\"" + REFUND + "\",\"content\":\"{\\\"seller_nick\\\":\\\"seller-a\\\"}\"}");
        assertThat(h.broker.published).hasSize(3);
    }

    @Test
    void badInputIsInvalidAndTheBrokersFailuresKeepTheirKind() throws Exception {
        assertThat(refused("not json").kind()).isEqualTo(BrokerException.Kind.INVALID);
        assertThat(refused("{\"topic\":\"taobao_x_Y\",\"content\":\"{}\",\"userId\":1001}").getMessage())
                .contains("no topic");
        assertThat(refused("{\"topic\":\"" + CHANGED + "\",\"content\":\"[]\",\"userId\":1001}").kind())
                .isEqualTo(BrokerException.Kind.INVALID);
        assertThat(refused("{\"topic\":\"" + CHANGED + "\",\"content\":\"{}\",\"userId\":-4}").kind())
                .isEqualTo(BrokerException.Kind.INVALID);
        assertThat(refused("{\"topic\":\"" + CHANGED + "\",\"content\":\"{}\",\"userNick\":\"nobody\"}").getMessage())
                .contains("nobody");
        assertThat(h.broker.published).isEmpty();

        h.broker.failNext(BrokerException.Kind.OVERLOADED);
        assertThat(refused("{\"topic\":\"" + CHANGED + "\",\"content\":\"{}\",\"userId\":1001}").kind())
                .isEqualTo(BrokerException.Kind.OVERLOADED);
        h.broker.failNext(BrokerException.Kind.UNAVAILABLE);
        assertThat(refused("{\"topic\":\"" + CHANGED + "\",\"content\":\"{}\",\"userId\":1001}").kind())
                .isEqualTo(BrokerException.Kind.UNAVAILABLE);
        assertThatThrownBy(() -> handler.publish("svc", "{}".getBytes(StandardCharsets.UTF_8)).join())
                .hasCauseInstanceOf(BrokerException.class);
    }
}

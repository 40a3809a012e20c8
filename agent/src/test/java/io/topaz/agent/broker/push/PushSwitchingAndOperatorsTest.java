package io.topaz.agent.broker.push;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.topaz.agent.broker.QueueName;
import io.topaz.agent.tmc.PushFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.topaz.agent.tmc.PushFixture.CONSUMER;
import static io.topaz.agent.tmc.PushFixture.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Push beside pull on one group, and what operators see and do: each message of the group goes to the push
 * connection or to a pull ({@code taobao.tmc.messages.consume} through the gateway), never both until it is
 * redelivered; a message a closed push connection left unconfirmed comes back to pull or to the reconnecting client;
 * {@link PushServer#connectionList()} describes each connection and {@link PushServer#disconnect} closes one with a
 * clear reason and gives its unconfirmed messages back.
 */
class PushSwitchingAndOperatorsTest {

    private static final QueueName QUEUE = new QueueName(CONSUMER, "default");

    private PushFixture world;
    private PushServer push;
    private PushTestServer server;

    @BeforeEach
    void start() throws Exception {
        world = new PushFixture();
        world.permitConsumer();
        // a window of 2: the push connection holds at most two messages, so pull gets the rest
        push = new PushServer(world.broker(), world.metadata(), world::config, world.apis(),
                PushSettings.defaults().withWindow(2).withPollInterval(Duration.ofMillis(50)), Clock.systemUTC(),
                new SimpleMeterRegistry());
        server = new PushTestServer(push);
    }

    @AfterEach
    void stop() {
        server.close();
        world.close();
    }

    private static String connect(WsTestClient c) throws Exception {
        c.send(WsTestClient.connect(5, CONSUMER, "default", System.currentTimeMillis(), SECRET));
        SpecReader.Reply ack = c.frame();
        assertThat(ack.status()).as("CONNECTACK %s", ack).isNull();
        return ack.token();
    }

    private static byte[] confirm(String token, long id) {
        return SpecBytes.frame(2, 2).token(token).byteField("__kind", 2).longField("id", id).end();
    }

    private long produce(int tid) throws Exception {
        return world.produce("{\"tid\":" + tid + ",\"seller_nick\":\"seller-a\"}");
    }

    @Test
    void pushAndPullShareAGroupEachMessageGoingToOneOfThem() throws Exception {
        Set<Long> produced = new HashSet<>();
        try (WsTestClient c = WsTestClient.open(server.port())) {
            String token = connect(c);
            for (int i = 0; i < 6; i++) {
                produced.add(produce(100 + i));
            }
            List<Long> pushed = List.of((Long) c.frame().fields().get("id"), (Long) c.frame().fields().get("id"));
            List<Long> pulled = new ArrayList<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                pulled.addAll(world.pull("default", 10));
                return pushed.size() + pulled.size() == produced.size();
            });
            assertThat(pulled).as("pull never gets what push holds").doesNotContainAnyElementsOf(pushed)
                    .doesNotHaveDuplicates();
            Set<Long> all = new HashSet<>(pushed);
            all.addAll(pulled);
            assertThat(all).isEqualTo(produced);
            assertThat(world.confirmPulled("default", pulled)).isEqualTo(pulled.size());

            // push confirms one and leaves the other unconfirmed as it goes away: pull gets that one again
            c.send(confirm(token, pushed.get(0)));
            await().atMost(Duration.ofSeconds(10)).until(() -> world.backlog(QUEUE) == 1);
            c.close();
            List<Long> again = new ArrayList<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                again.addAll(world.pull("default", 10));
                return !again.isEmpty();
            });
            assertThat(again).containsExactly(pushed.get(1));
            assertThat(world.confirmPulled("default", again)).isEqualTo(1);
        }
        assertThat(world.backlog(QUEUE)).isZero();
    }

    @Test
    void aReconnectingClientGetsItsUnconfirmedMessagesAgain() throws Exception {
        long a = produce(200);
        long b = produce(201);
        try (WsTestClient c = WsTestClient.open(server.port())) {
            connect(c);
            assertThat(List.of(c.frame().fields().get("id"), c.frame().fields().get("id"))).containsExactly(a, b);
        }
        try (WsTestClient c = WsTestClient.open(server.port())) {
            String token = connect(c);
            List<Object> again = List.of(c.frame().fields().get("id"), c.frame().fields().get("id"));
            assertThat(again).containsExactlyInAnyOrder(a, b);
            c.send(confirm(token, a));
            c.send(confirm(token, b));
            await().atMost(Duration.ofSeconds(10)).until(() -> world.backlog(QUEUE) == 0);
        }
    }

    @Test
    void operatorsSeeEachConnectionAndDisconnectingOneGivesItsMessagesBack() throws Exception {
        try (WsTestClient c = WsTestClient.open(server.port()); WsTestClient other = WsTestClient.open(server.port())) {
            long before = System.currentTimeMillis();
            String token = connect(c);
            long a = produce(300);
            long b = produce(301);
            long first = (Long) c.frame().fields().get("id");
            long second = (Long) c.frame().fields().get("id");
            assertThat(List.of(first, second)).containsExactly(a, b);
            c.send(confirm(token, a));
            await().atMost(Duration.ofSeconds(10)).until(() -> push.connectionList().size() == 1
                    && push.connectionList().get(0).confirmed() == 1);

            PushConnectionInfo info = push.connectionList().get(0);
            assertThat(info.app()).isEqualTo(CONSUMER);
            assertThat(info.group()).isEqualTo("default");
            assertThat(info.remote()).contains("127.0.0.1");
            assertThat(info.sinceMillis()).isGreaterThanOrEqualTo(before - 1000);
            assertThat(info.pushed()).isEqualTo(2);
            assertThat(info.confirmed()).isEqualTo(1);
            assertThat(info.inFlight()).isEqualTo(1);
            assertThat(push.disconnect("no-such-id", "x")).isFalse();

            assertThat(push.disconnect(info.id(), "disconnected by an operator (alice)")).isTrue();
            WsTestClient.Closed closed = c.closed();
            assertThat(closed.code()).isEqualTo(1000);
            assertThat(closed.reason()).contains("operator").contains("alice");
            await().atMost(Duration.ofSeconds(10)).until(() -> push.connectionList().isEmpty());

            // its unconfirmed message goes to the group's next connection
            String t2 = connect(other);
            assertThat(other.frame().fields()).containsEntry("id", b);
            other.send(confirm(t2, b));
            await().atMost(Duration.ofSeconds(10)).until(() -> world.backlog(QUEUE) == 0);
            assertThat(push.connectionList()).singleElement().satisfies(i -> {
                assertThat(i.id()).isNotEqualTo(info.id());
                assertThat(i.confirmed()).isEqualTo(1);
            });
        }
    }
}

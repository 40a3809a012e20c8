package io.topaz.agent.broker.push;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.topaz.agent.broker.QueueName;
import io.topaz.agent.tmc.PushFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.topaz.agent.tmc.PushFixture.CHANGED;
import static io.topaz.agent.tmc.PushFixture.CONSUMER;
import static io.topaz.agent.tmc.PushFixture.PLAIN;
import static io.topaz.agent.tmc.PushFixture.PRODUCER;
import static io.topaz.agent.tmc.PushFixture.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The push WebSocket end to end, spoken byte for byte by {@link WsTestClient} ({@link SpecBytes} frames out,
 * {@link SpecReader} frames in): CONNECT and its refusals, the close codes, push → confirm, redelivery to a
 * reconnecting client, publish → SENDACK, the window, no pongs, the idle timeout — against a real gateway's
 * {@code TmcApis} and metadata cache over an in-memory broker ({@link PushFixture}).
 */
class PushServerTest {

    private static final int MAX_FRAME = 8 * 1024;
    private static final QueueName QUEUE = new QueueName(CONSUMER, "default");
    private static final SimpleMeterRegistry REGISTRY = new SimpleMeterRegistry();
    private static PushFixture world;
    private static PushServer mainPush;
    private static PushTestServer server;
    private static PushTestServer idleServer;
    private static PushTestServer windowServer;
    private static PushTestServer slowServer;
    private static PushServer slowPush;

    @BeforeAll
    static void start() throws Exception {
        world = new PushFixture();
        world.permitConsumer();
        PushSettings s = PushSettings.defaults().withMaxFrameBytes(MAX_FRAME).withPollInterval(Duration.ofMillis(50));
        mainPush = push(s, REGISTRY);
        server = new PushTestServer(mainPush);
        idleServer = new PushTestServer(push(s.withIdleTimeout(Duration.ofMillis(300))));
        windowServer = new PushTestServer(push(s.withWindow(2)));
        slowPush = push(s.withSlowConsumerTimeout(Duration.ofMillis(300)));
        slowServer = new PushTestServer(slowPush, true);
    }

    private static PushServer push(PushSettings s) {
        return push(s, new SimpleMeterRegistry());
    }

    private static PushServer push(PushSettings s, SimpleMeterRegistry registry) {
        PushServer p = new PushServer(world.broker(), world.metadata(), world::config, world.apis(), s,
                Clock.systemUTC(), registry);
        PUSH_SERVERS.add(p);
        return p;
    }

    /** Closes every push server made here (their ring and confirmation threads). */
    private static final class PushServers extends java.util.ArrayList<PushServer> {
        void close() {
            forEach(PushServer::close);
        }
    }

    private static final PushServers PUSH_SERVERS = new PushServers();

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[]{server, idleServer, windowServer, slowServer, world,
                PUSH_SERVERS::close}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    private static long now() {
        return System.currentTimeMillis();
    }

    /** A connected client of the consumer app in {@code group}; its token. */
    private static String connect(WsTestClient c, String group) throws Exception {
        c.send(WsTestClient.connect(11, CONSUMER, group, now(), SECRET));
        SpecReader.Reply ack = c.frame();
        assertThat(ack.type()).isEqualTo(1);
        assertThat(ack.status()).as("status of %s", ack).isNull();
        assertThat(ack.flag()).isEqualTo(11);
        assertThat(ack.token()).isNotBlank();
        return ack.token();
    }

    private static byte[] confirm(String token, long id) {
        return SpecBytes.frame(2, 2).token(token).byteField("__kind", 2).longField("id", id).end();
    }

    private static byte[] pull(String token) {
        return SpecBytes.frame(2, 2).token(token).byteField("__kind", 1).end();
    }

    private static byte[] publish(String token, int flag, String topic, String content) {
        return SpecBytes.frame(2, 2).flag(flag).token(token).byteField("__kind", 3)
                .stringField("topic", topic).stringField("content", content).end();
    }

    /** Confirms whatever the queue still holds, so each test starts from an empty queue. */
    private static void drain() throws Exception {
        try (WsTestClient c = WsTestClient.open(server.port())) {
            String token = connect(c, "default");
            while (world.backlog(QUEUE) > 0) {
                int before = world.backlog(QUEUE);
                SpecReader.Reply r = c.frame();
                c.send(confirm(token, (Long) r.fields().get("id")));
                await().atMost(Duration.ofSeconds(5)).until(() -> world.backlog(QUEUE) < before);
            }
        }
    }

    // --- CONNECT ----------------------------------------------------------------------------------------------

    @Test
    void aSignedConnectIsAcknowledgedWithItsFlagAndAToken() throws Exception {
        try (WsTestClient c = WsTestClient.open(server.port())) {
            String token = connect(c, "default");
            try (WsTestClient d = WsTestClient.open(server.port())) {
                assertThat(connect(d, "default")).as("each connection its own token").isNotEqualTo(token);
            }
            assertThat(c.isOpen()).isTrue();
        }
    }

    @Test
    void aBadSignatureIsRefusedWith401ThenClosed() throws Exception {
        refused(WsTestClient.connect(5, CONSUMER, "default", now(), "wrong-secret"), 401, "signature");
    }

    @Test
    void anUnknownAppIsRefusedWith401() throws Exception {
        refused(WsTestClient.connect(5, "no-such-app", "default", now(), SECRET), 401, "unknown app key");
    }

    @Test
    void aTimestampOutsideTheWindowIsRefusedWith401() throws Exception {
        refused(WsTestClient.connect(5, CONSUMER, "default", now() - Duration.ofMinutes(11).toMillis(), SECRET),
                401, "timestamp");
    }

    @Test
    void appsWithoutTmcPermissionSubscriptionOrGroupAreRefusedWith403() throws Exception {
        refused(WsTestClient.connect(5, PLAIN, "default", now(), SECRET), 403, "tmc");
        refused(WsTestClient.connect(5, PRODUCER, "default", now(), SECRET), 403, "subscribes to no topic");
        refused(WsTestClient.connect(5, CONSUMER, "nosuchgroup", now(), SECRET), 403, "no consumer group");
    }

    @Test
    void aConnectMissingAFieldIsRefusedWith400() throws Exception {
        refused(SpecBytes.frame(2, 0).flag(5).stringField("app_key", CONSUMER).stringField("group_name", "default")
                .stringField("sign", "X").end(), 400, "timestamp");
        refused(SpecBytes.frame(2, 0).flag(5).stringField("app_key", CONSUMER).stringField("group_name", "default")
                .stringField("timestamp", "yesterday").stringField("sign", "X").end(), 400, "epoch milliseconds");
    }

    private static void refused(byte[] connect, int status, String phrase) throws Exception {
        try (WsTestClient c = WsTestClient.open(server.port())) {
            c.send(connect);
            SpecReader.Reply ack = c.frame();
            assertThat(ack.type()).isEqualTo(1);
            assertThat(ack.flag()).isEqualTo(5);
            assertThat(ack.status()).isEqualTo(status);
            assertThat(ack.phrase()).contains(phrase);
            assertThat(c.closed().code()).isEqualTo(1008);
            c.awaitEnd();
        }
    }

    // --- close codes ------------------------------------------------------------------------------------------

    @Test
    void aTextFrameClosesWith1003() throws Exception {
        try (WsTestClient c = WsTestClient.open(server.port())) {
            c.sendText("{\"hello\":1}");
            assertThat(c.closed().code()).isEqualTo(1003);
            c.awaitEnd();
        }
    }

    @Test
    void malformedFramesCloseWith1002() throws Exception {
        try (WsTestClient c = WsTestClient.open(server.port())) {
            c.send(SpecBytes.frame(9, 0).end());
            WsTestClient.Closed closed = c.closed();
            assertThat(closed.code()).isEqualTo(1002);
            assertThat(closed.reason()).contains("version 9");
            c.awaitEnd();
        }
        try (WsTestClient c = WsTestClient.open(server.port())) {
            String token = connect(c, "default");
            byte[] whole = confirm(token, 1);
            c.send(java.util.Arrays.copyOf(whole, whole.length - 5)); // truncated inside the id
            assertThat(c.closed().code()).isEqualTo(1002);
            c.awaitEnd();
        }
    }

    @Test
    void aFrameOverTheLimitClosesWith1009() throws Exception {
        try (WsTestClient c = WsTestClient.open(server.port())) {
            connect(c, "default");
            c.send(SpecBytes.frame(2, 2).int16(1).counted("x").int8(7).int32(MAX_FRAME).raw(new byte[MAX_FRAME]).end());
            assertThat(c.closed().code()).isEqualTo(1009);
            c.awaitEnd();
        }
    }

    @Test
    void framesOutOfOrderCloseWith1008() throws Exception {
        try (WsTestClient c = WsTestClient.open(server.port())) {
            c.send(pull("x"));
            assertThat(c.closed().reason()).contains("first frame must be a CONNECT");
            c.awaitEnd();
        }
        try (WsTestClient c = WsTestClient.open(server.port())) {
            connect(c, "default");
            c.send(WsTestClient.connect(12, CONSUMER, "default", now(), SECRET));
            WsTestClient.Closed closed = c.closed();
            assertThat(closed.code()).isEqualTo(1008);
            assertThat(closed.reason()).contains("second CONNECT");
        }
        try (WsTestClient c = WsTestClient.open(server.port())) {
            connect(c, "default");
            c.send(pull("not-my-token"));
            assertThat(c.closed().code()).isEqualTo(1008);
        }
    }

    @Test
    void theHttpApiOnTheSamePortStillAnswers() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/internal/v1/queues")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).isEqualTo("internal api: /internal/v1/queues");
    }

    // --- push -------------------------------------------------------------------------------------------------

    @Test
    void aProducedMessageIsPushedWithTheSpecsFieldsAndAConfirmEndsIt() throws Exception {
        drain();
        try (WsTestClient c = WsTestClient.open(server.port())) {
            String token = connect(c, "default");
            long before = now();
            long id = world.produce("{\"tid\":42,\"seller_nick\":\"seller-a\"}");
            SpecReader.Reply m = c.frame();
            assertThat(m.version()).isEqualTo(2);
            assertThat(m.type()).isEqualTo(2);
            assertThat(m.token()).isEqualTo(token);
            assertThat(m.flag()).isNull();
            assertThat(m.status()).isNull();
            assertThat(m.fields()).containsEntry("__kind", (byte) 3)
                    .containsEntry("id", id)
                    .containsEntry("topic", CHANGED)
                    .containsEntry("content", "{\"tid\":42,\"seller_nick\":\"seller-a\"}")
                    .containsEntry("publisher", PRODUCER)
                    .containsEntry("userid", 1001L)
                    .containsEntry("nick", "seller-a")
                    .containsEntry("dataid", 42L);
            assertThat(m.dates().get("time")).isBetween(before - 1000, now());
            assertThat(m.dates().get("outtime")).isBetween(m.dates().get("time"), now());

            // the connections of earlier tests end asynchronously on the server
            await().atMost(Duration.ofSeconds(10)).until(() -> mainPush.connections(QUEUE) == 1);
            assertThat(REGISTRY.get("topaz.push.connections").tag("app", CONSUMER).tag("group", "default").gauge()
                    .value()).isEqualTo(1.0);
            long confirmedBefore = REGISTRY.get("topaz.push.confirm.latency").timer().count();
            c.send(confirm(token, id));
            await().atMost(Duration.ofSeconds(10)).until(() -> world.backlog(QUEUE) == 0);
            assertThat(REGISTRY.get("topaz.push.confirm.latency").timer().count()).isEqualTo(confirmedBefore + 1);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> REGISTRY.get("topaz.push.in.flight").gauge().value() == 0.0);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> mainPush.connections(QUEUE) == 0);
    }

    @Test
    void anUnconfirmedMessageIsPushedAgainToAReconnectingClient() throws Exception {
        drain();
        long id;
        try (WsTestClient c = WsTestClient.open(server.port())) {
            connect(c, "default");
            id = world.produce("{\"tid\":7,\"seller_nick\":\"seller-a\"}");
            assertThat(c.frame().fields()).containsEntry("id", id);
        } // closed without confirming
        try (WsTestClient c = WsTestClient.open(server.port())) {
            String token = connect(c, "default");
            SpecReader.Reply again = c.frame();
            assertThat(again.fields()).containsEntry("id", id);
            assertThat(again.token()).isEqualTo(token);
            c.send(confirm(token, id));
            await().atMost(Duration.ofSeconds(10)).until(() -> world.backlog(QUEUE) == 0);
        }
    }

    @Test
    void aFailedMessageIsPushedAgain() throws Exception {
        drain();
        try (WsTestClient c = WsTestClient.open(server.port())) {
            String token = connect(c, "default");
            long id = world.produce("{\"tid\":8,\"seller_nick\":\"seller-a\"}");
            assertThat(c.frame().fields()).containsEntry("id", id);
            c.send(SpecBytes.frame(2, 2).token(token).byteField("__kind", 20).longField("id", id)
                    .stringField("msg", "db down").end());
            assertThat(c.frame().fields()).containsEntry("id", id);
            c.send(confirm(token, id));
            await().atMost(Duration.ofSeconds(10)).until(() -> world.backlog(QUEUE) == 0);
        }
    }

    @Test
    void aPublishFrameIsProducedAndAcknowledged() throws Exception {
        drain();
        try (WsTestClient c = WsTestClient.open(server.port())) {
            String token = connect(c, "default");
            c.send(publish(token, 77, CHANGED, "{\"tid\":9,\"seller_nick\":\"seller-a\"}"));
            List<SpecReader.Reply> got = new ArrayList<>(List.of(c.frame(), c.frame()));
            SpecReader.Reply ack = got.stream().filter(r -> r.type() == 3).findFirst().orElseThrow();
            SpecReader.Reply pushed = got.stream().filter(r -> r.type() == 2).findFirst().orElseThrow();
            assertThat(ack.flag()).isEqualTo(77);
            assertThat(ack.token()).isEqualTo(token);
            assertThat(ack.status()).isNull();
            long id = (Long) ack.fields().get("id");
            // the consumer app subscribes to the topic and seller A permitted it: the message comes back pushed
            assertThat(pushed.fields()).containsEntry("id", id).containsEntry("publisher", CONSUMER);
            c.send(confirm(token, id));

            c.send(publish(token, 78, "taobao_no_such_topic", "{\"tid\":1,\"seller_nick\":\"seller-a\"}"));
            SpecReader.Reply refused = c.frame();
            assertThat(refused.type()).isEqualTo(3);
            assertThat(refused.flag()).isEqualTo(78);
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.phrase()).contains("isv.topic-not-exist");
            await().atMost(Duration.ofSeconds(10)).until(() -> world.backlog(QUEUE) == 0);
        }
    }

    @Test
    void pingsAreNotAnsweredWithPongs() throws Exception {
        try (WsTestClient c = WsTestClient.open(server.port())) {
            String token = connect(c, "default");
            c.ping();
            // a reply that comes after anything the ping could have caused: the next thing is the SENDACK
            c.send(publish(token, 3, "taobao_no_such_topic", "{}"));
            Object next = c.next();
            assertThat(next).isInstanceOf(byte[].class);
            assertThat(SpecReader.read((byte[]) next).type()).isEqualTo(3);
        }
    }

    @Test
    void anIdleConnectionIsClosed() throws Exception {
        try (WsTestClient c = WsTestClient.open(idleServer.port())) {
            connect(c, "default");
            WsTestClient.Closed closed = c.closed();
            assertThat(closed.code()).isEqualTo(1000);
            assertThat(closed.reason()).contains("idle");
            c.awaitEnd();
        }
    }

    @Test
    void theWindowBoundsUnconfirmedMessagesPerConnection() throws Exception {
        drain();
        long[] ids = {world.produce("{\"tid\":1,\"seller_nick\":\"seller-a\"}"),
                world.produce("{\"tid\":2,\"seller_nick\":\"seller-a\"}"),
                world.produce("{\"tid\":3,\"seller_nick\":\"seller-a\"}")};
        try (WsTestClient c = WsTestClient.open(windowServer.port())) {
            String token = connect(c, "default");
            assertThat(c.frame().fields()).containsEntry("id", ids[0]);
            assertThat(c.frame().fields()).containsEntry("id", ids[1]);
            // the window (2) is full: a pull request delivers nothing; the next frame is the publish's SENDACK
            c.send(pull(token));
            c.send(publish(token, 4, "taobao_no_such_topic", "{}"));
            assertThat(c.frame().type()).isEqualTo(3);
            c.send(confirm(token, ids[0]));
            assertThat(c.frame().fields()).containsEntry("id", ids[2]);
            c.send(confirm(token, ids[1]));
            c.send(confirm(token, ids[2]));
            await().atMost(Duration.ofSeconds(10)).until(() -> world.backlog(QUEUE) == 0);
        }
    }

    @Test
    void aConsumerThatStopsReadingIsClosedAsTooSlowAndItsMessagesStayQueued() throws Exception {
        drain();
        String big = "x".repeat(6000);
        for (int i = 0; i < 60; i++) {
            world.produce("{\"tid\":" + (100 + i) + ",\"seller_nick\":\"seller-a\",\"pad\":\"" + big + "\"}");
        }
        try (WsTestClient c = WsTestClient.open(slowServer.port(), 4096)) {
            long before = slowPush.slowCloses();
            c.send(WsTestClient.connect(11, CONSUMER, "default", now(), SECRET));
            c.pause();
            await().pollInterval(Duration.ofMillis(10)).atMost(Duration.ofSeconds(15))
                    .until(() -> slowPush.slowCloses() == before + 1);
            c.resume();
            Object o;
            do {
                o = c.next();
            } while (o instanceof byte[]);
            assertThat(o).isInstanceOf(WsTestClient.Closed.class);
            WsTestClient.Closed closed = (WsTestClient.Closed) o;
            assertThat(closed.code()).isEqualTo(1008);
            assertThat(closed.reason()).contains("too slow");
        }
        // nothing was confirmed: every message is still there for the next connection
        assertThat(world.backlog(QUEUE)).isEqualTo(60);
        drain();
    }

    @Test
    void connectionsOfOneGroupShareItsQueueAndEachMessageGoesToOneOfThem() throws Exception {
        drain();
        try (WsTestClient a = WsTestClient.open(server.port()); WsTestClient b = WsTestClient.open(server.port())) {
            String ta = connect(a, "default");
            String tb = connect(b, "default");
            java.util.Set<Long> produced = new java.util.HashSet<>();
            for (int i = 0; i < 20; i++) {
                produced.add(world.produce("{\"tid\":" + (500 + i) + ",\"seller_nick\":\"seller-a\"}"));
            }
            List<Long> got = new ArrayList<>();
            // confirm everything either connection receives until the queue is empty; no id may arrive twice
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                for (WsTestClient[] pair : new WsTestClient[][]{{a}, {b}}) {
                    WsTestClient c = pair[0];
                    Object o;
                    while ((o = c.poll()) != null) {
                        SpecReader.Reply r = SpecReader.read((byte[]) o);
                        long id = (Long) r.fields().get("id");
                        got.add(id);
                        c.send(confirm(c == a ? ta : tb, id));
                    }
                }
                return world.backlog(QUEUE) == 0;
            });
            assertThat(got).doesNotHaveDuplicates();
            assertThat(new java.util.HashSet<>(got)).isEqualTo(produced);
        }
    }
}

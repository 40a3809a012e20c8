package io.topaz.agent.broker.push;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.topaz.agent.broker.QueueName;
import io.topaz.agent.tmc.PushFixture;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static io.topaz.agent.tmc.PushFixture.CONSUMER;
import static io.topaz.agent.tmc.PushFixture.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One consumer that stops reading beside 20 that read and confirm at once, all of one group, on a broker port with
 * small socket buffers and write-buffer water marks: the fast ones keep receiving — the group's backlog falls to what
 * the slow one holds (at most its window) while the slow one is still open — the slow one is paused (its channel
 * unwritable) and then closed as too slow, and what it held goes to the fast ones: every message confirmed once at
 * least, none lost.
 */
class SlowConsumerAmongFastOnesTest {

    private static final QueueName QUEUE = new QueueName(CONSUMER, "default");
    private static final int FAST = 20;
    private static final int MESSAGES = 200;
    /** The window before the first measurement ({@link FlowWindow}): what one connection can hold at first. */
    private static final int FIRST_WINDOW = 16;

    @Test
    void theFastOnesKeepReceivingTheSlowOneIsClosedAndNothingIsLost() throws Exception {
        try (PushFixture world = new PushFixture()) {
            world.permitConsumer();
            PushServer push = new PushServer(world.broker(), world.metadata(), world::config, world.apis(),
                    PushSettings.defaults().withPollInterval(Duration.ofMillis(50))
                            .withSlowConsumerTimeout(Duration.ofSeconds(5)), Clock.systemUTC(),
                    new SimpleMeterRegistry());
            try (PushTestServer server = new PushTestServer(push, true)) {
                List<WsTestClient> fast = new ArrayList<>();
                List<String> tokens = new ArrayList<>();
                WsTestClient slow = WsTestClient.open(server.port(), 4096);
                try {
                    slow.send(WsTestClient.connect(1, CONSUMER, "default", System.currentTimeMillis(), SECRET));
                    assertThat(slow.frame().status()).isNull();
                    slow.pause();
                    String slowId = push.connectionList().get(0).id();
                    for (int i = 0; i < FAST; i++) {
                        WsTestClient c = WsTestClient.open(server.port());
                        c.send(WsTestClient.connect(2 + i, CONSUMER, "default", System.currentTimeMillis(), SECRET));
                        SpecReader.Reply ack = c.frame();
                        assertThat(ack.status()).isNull();
                        fast.add(c);
                        tokens.add(ack.token());
                    }
                    // large enough that even one or two unread pushes fill the slow client's 4 KiB receive buffer and the
                    // server's send buffer past the high-water mark: how many the slow one gets first varies
                    String pad = "x".repeat(60_000);
                    Set<Long> produced = new HashSet<>();
                    for (int i = 0; i < MESSAGES; i++) {
                        produced.add(world.produce("{\"tid\":" + i + ",\"seller_nick\":\"seller-a\",\"pad\":\""
                                + pad + "\"}"));
                    }
                    Set<Long> confirmed = ConcurrentHashMap.newKeySet();
                    Runnable readFast = () -> {
                        for (int i = 0; i < FAST; i++) {
                            Object o;
                            while ((o = fast.get(i).poll()) != null) {
                                if (o instanceof byte[] b) {
                                    long id = (Long) SpecReader.read(b).fields().get("id");
                                    confirmed.add(id);
                                    try {
                                        fast.get(i).send(SpecBytes.frame(2, 2).token(tokens.get(i))
                                                .byteField("__kind", 2).longField("id", id).end());
                                    } catch (InterruptedException e) {
                                        Thread.currentThread().interrupt();
                                    }
                                }
                            }
                        }
                    };

                    // while the slow one is still open, the group's backlog is what it holds: at most its window
                    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() -> {
                        readFast.run();
                        return world.backlog(QUEUE) <= FIRST_WINDOW && push.slowCloses() == 0
                                && confirmed.size() >= MESSAGES - FIRST_WINDOW;
                    });
                    PushConnectionInfo held = push.connectionList().stream().filter(c -> c.id().equals(slowId))
                            .findFirst().orElseThrow(() -> new AssertionError("the slow one is closed too early"));
                    assertThat(held.inFlight()).as("the slow one holds at most its window").isBetween(1L,
                            (long) FIRST_WINDOW);
                    assertThat(push.slowCloses()).isZero();

                    // then it is closed as too slow, and the fast ones get what it held
                    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
                        readFast.run();
                        return push.slowCloses() == 1 && world.backlog(QUEUE) == 0;
                    });
                    assertThat(confirmed).as("nothing lost").isEqualTo(produced);
                    assertThat(push.connectionList()).hasSize(FAST)
                            .noneMatch(c -> c.id().equals(slowId));
                    assertThat(push.connectionList().stream().max(Comparator.comparingLong(
                            PushConnectionInfo::inFlight)).orElseThrow().inFlight()).isZero();
                } finally {
                    slow.close();
                    fast.forEach(WsTestClient::close);
                }
            }
        }
    }
}

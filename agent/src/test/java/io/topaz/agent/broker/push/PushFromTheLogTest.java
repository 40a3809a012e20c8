package io.topaz.agent.broker.push;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.topaz.agent.BlockingCalls;
import io.topaz.agent.broker.Broker;
import io.topaz.agent.broker.BrokerMessage;
import io.topaz.agent.broker.ConfirmOutcome;
import io.topaz.agent.broker.Delivery;
import io.topaz.agent.broker.MessageIds;
import io.topaz.agent.broker.QueueName;
import io.topaz.agent.broker.QueueStats;
import io.topaz.agent.broker.push.confirm.ConfirmQueue;
import io.topaz.agent.broker.push.confirm.ConfirmSettings;
import io.topaz.agent.broker.queue.QueueEngine;
import io.topaz.agent.broker.store.Durability;
import io.topaz.agent.tmc.PushFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.topaz.agent.tmc.PushFixture.CHANGED;
import static io.topaz.agent.tmc.PushFixture.CONSUMER;
import static io.topaz.agent.tmc.PushFixture.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Push from a real message log ({@link QueueEngine} on disk), under BlockHound: contents go out as file regions of
 * the log's segments (zero-copy), and the frames are byte for byte what the codec writes — read by the spec's own
 * reader, and re-encoded to the same bytes — for WebSocket payload lengths of the 16-bit and 64-bit forms and
 * multi-byte UTF-8. Confirmations pass through the file tier only (heap and direct tiers of size 0) and still
 * complete. No Netty event loop blocks on the way (the file tier's I/O runs on its drainer thread).
 */
class PushFromTheLogTest {

    private static final QueueName QUEUE = new QueueName(CONSUMER, "default");

    @TempDir
    Path dir;

    private PushFixture world;
    private QueueEngine engine;
    private EngineBroker broker;
    private PushServer push;
    private PushTestServer server;

    /** The engine as the cluster broker serves a queue it owns: consume and confirm off the event loops. */
    static final class EngineBroker implements Broker {
        private final QueueEngine engine;
        private final ExecutorService local = Executors.newSingleThreadExecutor();
        private final AtomicLong ids = new AtomicLong(5_000);

        EngineBroker(QueueEngine engine) {
            this.engine = engine;
        }

        @Override
        public MessageIds ids() {
            return ids::incrementAndGet;
        }

        @Override
        public CompletableFuture<Void> publish(BrokerMessage message, Collection<QueueName> queues) {
            return engine.append(message, queues);
        }

        @Override
        public CompletableFuture<List<Delivery>> consume(QueueName queue, int max) {
            return CompletableFuture.supplyAsync(() -> engine.consume(queue, max), local);
        }

        @Override
        public CompletableFuture<ConfirmOutcome> confirm(QueueName queue, long[] confirmed, long[] failed) {
            return CompletableFuture.supplyAsync(() -> engine.confirm(queue, confirmed, failed), local);
        }
    }

    @BeforeEach
    void start() throws Exception {
        BlockingCalls.install();
        world = new PushFixture();
        world.permitConsumer();
        engine = QueueEngine.open(dir.resolve("broker"), QueueEngine.Options.defaults().withDurability(Durability.OS),
                Clock.systemUTC(), new SimpleMeterRegistry(), app -> Long.MAX_VALUE);
        broker = new EngineBroker(engine);
        PushSettings s = PushSettings.defaults().withPollInterval(Duration.ofMillis(50)).withZeroCopyMinBytes(1)
                .withConfirm(ConfirmSettings.defaults().withBounds(0, 0).withDir(dir.resolve("push-confirm")));
        push = new PushServer(broker, world.metadata(), world::config, world.apis(), s, Clock.systemUTC(),
                new SimpleMeterRegistry());
        server = new PushTestServer(push);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        push.close();
        broker.local.shutdownNow();
        engine.close();
        world.close();
    }

    @Test
    void contentsGoOutAsFileRegionsByteForByteAndConfirmationsCompleteThroughTheFiles() throws Exception {
        BlockHoundIsWatching.check();
        int before = BlockingCalls.CALLS.size();
        List<String> contents = List.of(
                "{\"tid\":1}",
                "{\"tid\":2,\"note\":\"" + "é中x".repeat(40) + "\"}",
                "{\"tid\":3,\"blob\":\"" + "ab\u00e9\u4e2d\ud83d\ude00".repeat(12_000) + "\"}"); // > 64 KiB
        try (WsTestClient c = WsTestClient.open(server.port())) {
            c.send(WsTestClient.connect(1, CONSUMER, "default", System.currentTimeMillis(), SECRET));
            String token = c.frame().token();
            assertThat(token).isNotBlank();
            for (String content : contents) {
                BrokerMessage m = new BrokerMessage(broker.ids().next(), CHANGED, "producer",
                        System.currentTimeMillis(), 1001, "nick-é", content, 7);
                broker.publish(m, List.of(QUEUE)).get(10, TimeUnit.SECONDS);
                push.stored(m.id(), List.of(QUEUE));

                byte[] raw = c.rawFrame();
                SpecReader.Reply r = SpecReader.read(raw); // the spec's reader: every length must add up
                assertThat(r.type()).isEqualTo(Frame.SEND);
                assertThat(r.token()).isEqualTo(token);
                assertThat(r.fields()).containsEntry("id", m.id()).containsEntry("topic", CHANGED)
                        .containsEntry("content", content).containsEntry("nick", "nick-é")
                        .containsEntry("userid", 1001L).containsEntry("dataid", 7L);
                // the same bytes as the codec's own encoding of that frame
                Frame decoded = FrameCodec.decode(Unpooled.wrappedBuffer(raw));
                var again = FrameCodec.encode(decoded, ByteBufAllocator.DEFAULT);
                try {
                    assertThat(ByteBufUtil.getBytes(again)).isEqualTo(raw);
                } finally {
                    again.release();
                }
                c.send(SpecBytes.frame(2, 2).token(token).byteField("__kind", 2).longField("id", m.id()).end());
            }
            assertThat(push.metrics().zeroCopies()).isEqualTo(contents.size());
            await().atMost(Duration.ofSeconds(10)).until(() -> backlog() == 0);
            assertThat(push.confirmations().completed(ConfirmQueue.Tier.FILE)).isEqualTo(contents.size());
            assertThat(push.confirmations().memoryShare()).isZero();
        }
        assertThat(BlockingCalls.CALLS.subList(before, BlockingCalls.CALLS.size())).isEmpty();
    }

    @Test
    void belowTheThresholdTheContentIsCopiedAsBefore() throws Exception {
        PushSettings s = PushSettings.defaults().withPollInterval(Duration.ofMillis(50))
                .withConfirm(ConfirmSettings.defaults().withDir(dir.resolve("push-confirm-2")));
        try (PushServer copying = new PushServer(broker, world.metadata(), world::config, world.apis(), s,
                Clock.systemUTC(), new SimpleMeterRegistry());
             PushTestServer srv = new PushTestServer(copying);
             WsTestClient c = WsTestClient.open(srv.port())) {
            c.send(WsTestClient.connect(1, CONSUMER, "default", System.currentTimeMillis(), SECRET));
            String token = c.frame().token();
            BrokerMessage m = new BrokerMessage(broker.ids().next(), CHANGED, "producer", System.currentTimeMillis(),
                    1001, "nick", "{\"tid\":9}", 9);
            broker.publish(m, List.of(QUEUE)).get(10, TimeUnit.SECONDS);
            assertThat(c.frame().fields()).containsEntry("content", "{\"tid\":9}");
            assertThat(copying.metrics().zeroCopies()).isZero();
            c.send(SpecBytes.frame(2, 2).token(token).byteField("__kind", 2).longField("id", m.id()).end());
            await().atMost(Duration.ofSeconds(10)).until(() -> backlog() == 0);
            assertThat(copying.confirmations().completed(ConfirmQueue.Tier.HEAP)).isEqualTo(1);
        }
    }

    private long backlog() {
        return engine.stats().stream().filter(q -> q.queue().equals(QUEUE)).mapToLong(QueueStats::backlog).sum();
    }

    /** Proves the recorder is live in this JVM: a yield on an event loop is recorded (then forgotten). */
    static final class BlockHoundIsWatching {
        static void check() throws Exception {
            EventLoopGroup g = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            try {
                int before = BlockingCalls.CALLS.size();
                g.submit(Thread::yield).get(10, TimeUnit.SECONDS); // blocking as BlockHound counts it, no wait
                assertThat(BlockingCalls.CALLS).as("BlockHound records blocking calls on event loops")
                        .hasSizeGreaterThan(before);
                BlockingCalls.CALLS.subList(before, BlockingCalls.CALLS.size()).clear();
            } finally {
                g.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            }
        }
    }
}

package io.topaz.agent.sync.engine;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.topaz.agent.broker.Broker;
import io.topaz.agent.broker.BrokerMessage;
import io.topaz.agent.broker.ConfirmOutcome;
import io.topaz.agent.broker.Delivery;
import io.topaz.agent.broker.LocalQueues;
import io.topaz.agent.broker.MessageIds;
import io.topaz.agent.broker.QueueName;
import io.topaz.agent.broker.QueueStats;
import io.topaz.agent.broker.queue.QueueEngine;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The broker of one agent for the sync tests: the real storage engine ({@link QueueEngine}) behind {@link Broker},
 * as the cluster layer presents it when this agent owns every queue.
 */
final class LocalBroker implements Broker, SyncEngine.LocalView, AutoCloseable {

    final LocalQueues queues;
    private final AtomicLong ids = new AtomicLong();
    private final Clock clock;

    LocalBroker(Path dir, Clock clock, Duration redelivery, int maxAttempts) throws IOException {
        this.clock = clock;
        this.queues = QueueEngine.open(dir, QueueEngine.Options.defaults().withRedelivery(redelivery,
                List.of(Duration.ofMillis(100)), maxAttempts), clock, new SimpleMeterRegistry(), app -> Long.MAX_VALUE);
    }

    @Override
    public LocalQueues local() {
        return queues;
    }

    @Override
    public MessageIds ids() {
        return ids::incrementAndGet;
    }

    @Override
    public CompletableFuture<Void> publish(BrokerMessage message, Collection<QueueName> queueNames) {
        return queues.append(message, queueNames);
    }

    @Override
    public CompletableFuture<List<Delivery>> consume(QueueName queue, int max) {
        if (max < 1 || max > 200) { // as a consume forwarded to the queue's owning agent (the broker port's bound)
            return CompletableFuture.failedFuture(new IllegalArgumentException("max must be 1 to 200"));
        }
        return CompletableFuture.completedFuture(queues.consume(queue, max));
    }

    @Override
    public CompletableFuture<ConfirmOutcome> confirm(QueueName queue, long[] confirmed, long[] failed) {
        return CompletableFuture.completedFuture(queues.confirm(queue, confirmed, failed));
    }

    /** A trade message about order {@code tid} of {@code seller} at version {@code modified}. */
    CompletableFuture<Void> trade(QueueName queue, long tid, long seller, long modified) {
        String content = "{\"tid\":" + tid + ",\"seller_id\":" + seller + ",\"modified\":" + modified + "}";
        return publish(new BrokerMessage(ids.incrementAndGet(), "taobao_trade_TradeChanged", "platform",
                clock.millis(), seller, "shop" + seller, content, tid), List.of(queue));
    }

    CompletableFuture<Void> raw(QueueName queue, String content, long dataId) {
        return publish(new BrokerMessage(ids.incrementAndGet(), "taobao_trade_TradeChanged", "platform", clock.millis(), 7,
                "shop", content, dataId), List.of(queue));
    }

    /** Unconfirmed messages of the queue (in flight included). */
    long backlog(QueueName queue) {
        return queues.stats().stream().filter(s -> s.queue().equals(queue)).mapToLong(QueueStats::backlog).sum();
    }

    @Override
    public void close() throws IOException {
        queues.close();
    }
}

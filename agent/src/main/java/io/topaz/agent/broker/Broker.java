package io.topaz.agent.broker;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The message service as the gateway's {@code taobao.tmc.*} methods and the broker port see it: the whole cluster of
 * agents behind one interface. Each (app, group) queue has one owning agent (chosen through ZooKeeper); this routes
 * every operation to the owners and completes when they answered. Futures fail with {@link BrokerException}.
 */
public interface Broker {

    MessageIds ids();

    /**
     * Stores {@code message} for each of {@code queues} at their owners; completes when every owner has it durable.
     * An empty collection completes at once (no app receives the message).
     */
    CompletableFuture<Void> publish(BrokerMessage message, Collection<QueueName> queues);

    /** {@link LocalQueues#consume} at the queue's owner. */
    CompletableFuture<List<Delivery>> consume(QueueName queue, int max);

    /** {@link LocalQueues#confirm} at the queue's owner. */
    CompletableFuture<ConfirmOutcome> confirm(QueueName queue, long[] confirmed, long[] failed);
}

package io.topaz.agent.broker;

import java.io.Closeable;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One agent's message storage: its message log (the log store's CRC-checked, group-committed segments; each
 * message stored once, addressed by segment and offset) and the (app, group) queues it holds, each an append-only
 * sequence of fixed-size references indexed by position with its consume position, in-flight set and confirmations
 * kept compactly. Knows nothing of ZooKeeper or other agents: {@link Broker} decides which agent holds what.
 *
 * <p>Thread-safe; no method blocks on the disk except {@link #close()} (appends complete their future when durable).
 * Time comes from the {@code java.time.Clock} given at construction: redelivery, backoff, retention.
 */
public interface LocalQueues extends Closeable {

    /**
     * Stores {@code message} once and appends a reference to it to each of {@code queues} (creating a queue on its
     * first message). Completes when the message and the references are as durable as the store promises (group
     * commit by default); fails with {@link BrokerException} ({@code OVERLOADED} when too many appends wait for the
     * disk). A failed append is not acknowledged; it may still be delivered (at least once).
     */
    CompletableFuture<Void> append(BrokerMessage message, Collection<QueueName> queues);

    /**
     * Up to {@code max} messages of {@code queue} for a consumer: first those due again (redelivery timeout passed),
     * then new ones in queue order. Each is hidden until confirmed, failed, or its redelivery time passes. An unknown
     * queue gives an empty list.
     */
    List<Delivery> consume(QueueName queue, int max);

    /**
     * Confirms {@code confirmed} and fails {@code failed} (delivered again after the backoff). Ids not in flight in
     * this queue — unknown, another queue's, already confirmed — change nothing and are counted as ignored.
     */
    ConfirmOutcome confirm(QueueName queue, long[] confirmed, long[] failed);

    /** The queues held here (with a backlog or state), sorted. */
    Set<QueueName> queues();

    List<QueueStats> stats();

    /**
     * For a hand-over to another agent: up to {@code max} unconfirmed messages of {@code queue} (in flight included),
     * in queue order, starting at {@code fromPosition} (0 for the start); {@link Backlog#next()} continues.
     */
    Backlog backlog(QueueName queue, long fromPosition, int max);

    /** A slice of a queue's unconfirmed messages; {@code end} when nothing follows. */
    record Backlog(List<BrokerMessage> messages, long next, boolean end) {
    }

    /**
     * Forgets {@code queue} here after its backlog was handed over (its messages are held by another agent now):
     * durable when the future completes.
     */
    CompletableFuture<Void> release(QueueName queue);

    DeadLetterQuery.Page deadLetters(DeadLetterQuery query);

    /** Moves these dead letters of the app back to the tail of the queue they died in; returns how many. */
    int replay(String appKey, Collection<Long> ids);

    /** Deletes these dead letters of the app; returns how many. */
    int purge(String appKey, Collection<Long> ids);
}

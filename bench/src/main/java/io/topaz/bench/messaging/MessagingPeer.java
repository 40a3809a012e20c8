package io.topaz.bench.messaging;

/**
 * A messaging system under test, as {@link MessagingBench} drives it: a topic received by {@code fanOut} consumers
 * (subscribed apps for Topaz, consumer groups for Kafka), each consumed by one loop that reports every message it
 * receives and then confirms (commits) the batch.
 */
interface MessagingPeer extends AutoCloseable {

    String name();

    /** The phases of {@link MessagingBench}. */
    enum Phase { THROUGHPUT, LATENCY }

    /** Called before each phase: a peer that is set up differently for a phase does it here. */
    default void prepare(Phase phase) throws Exception {
    }

    /** Makes the topic and its {@code fanOut} receivers ready, with their consumer loops running and reporting to sink. */
    Cell open(int fanOut, Receipts sink) throws Exception;

    /** Called by consumer loops, from their own threads, for every message received. */
    interface Receipts {
        void received(String content);
    }

    /** One cell of the benchmark: a topic with its consumers running. Closing stops the consumers. */
    interface Cell extends AutoCloseable {

        /** A producer for one thread. */
        Sender newSender() throws Exception;

        @Override
        void close() throws Exception;
    }

    /** Produces one message and returns once the system acknowledged it as durable; throws when it did not. */
    interface Sender extends AutoCloseable {
        void send(String content) throws Exception;

        @Override
        void close();
    }
}

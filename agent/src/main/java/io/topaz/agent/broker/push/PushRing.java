package io.topaz.agent.broker.push;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.EventTranslatorTwoArg;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.TimeoutException;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import io.topaz.agent.broker.QueueName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The push path's LMAX Disruptor ring: store → ring → the connections' writers. The cluster broker calls
 * {@link #stored} once per message appended here (on the thread that completed the append: the message log's
 * group-commit thread); that claims a slot without waiting ({@code tryPublishEvent}) and writes a small event — the
 * message id and the queues it was appended to, which this agent owns, so the message lives in this agent's message
 * log. The ring's one handler thread marks the events' queues and, at the end of each batch
 * ({@code endOfBatch}), hands each marked queue once to {@code dispatch}, which wakes that queue's connections on
 * their own event loops: a burst of a thousand stores into one queue is one wake per connection, not a thousand.
 * Which connection pushes a message is still decided by the owner's consume (one consumer of the group each).
 *
 * <p><b>Wait strategy.</b> {@link BlockingWaitStrategy}: an idle handler parks on a lock's condition and costs no
 * CPU; a publish signals it (a futex wake, tens of microseconds). Busy-spin and yielding strategies keep a core at
 * 100 % — one of the two cores these agents run on — and the sleeping one still wakes every ~60 µs while idle; the
 * latency they save is far below the push path's budget (p99 10 ms).
 *
 * <p><b>Ring full.</b> The storing thread never waits: when no slot is free the event is dropped and counted
 * ({@link #full()}, meter {@code topaz.push.ring.full}); the message is not lost, only not announced — the queue's
 * connections find it on their poll path (every {@code pollInterval} while their last fetch was short, or when a
 * confirm opens their window).
 */
final class PushRing implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(PushRing.class);

    /** One slot: a stored message's id and its queues here. Reused; the handler copies nothing but the queues. */
    static final class Event {
        long id;
        Collection<QueueName> queues;
    }

    private static final EventTranslatorTwoArg<Event, Long, Collection<QueueName>> STORED =
            (e, seq, id, queues) -> {
                e.id = id;
                e.queues = queues;
            };

    private final Disruptor<Event> disruptor;
    private final RingBuffer<Event> ring;
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong full = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param size     slots, a power of two
     * @param dispatch called on the ring's thread with each queue that got messages in a batch; must not block
     */
    PushRing(int size, Consumer<QueueName> dispatch) {
        disruptor = new Disruptor<>(Event::new, size, r -> {
            Thread t = new Thread(r, "topaz-push-ring");
            t.setDaemon(true);
            return t;
        }, ProducerType.MULTI, new BlockingWaitStrategy());
        disruptor.handleEventsWith(new Dispatcher(dispatch));
        disruptor.setDefaultExceptionHandler(new LogAndGoOn());
        ring = disruptor.start();
    }

    /** Announces a message stored in {@code queues} on this agent. Never blocks; false when the ring was full. */
    boolean stored(long id, Collection<QueueName> queues) {
        if (closed.get() || queues.isEmpty()) {
            return false;
        }
        if (ring.tryPublishEvent(STORED, id, queues)) {
            published.incrementAndGet();
            return true;
        }
        full.incrementAndGet();
        return false;
    }

    /** Events published since the start. */
    long published() {
        return published.get();
    }

    /** Events not published because the ring was full (their messages reached the connections by polling). */
    long full() {
        return full.get();
    }

    /** Batches the handler has dispatched (one wake per queue per batch). */
    long batches() {
        return batches.get();
    }

    int size() {
        return ring.getBufferSize();
    }

    /** Dispatches what is in the ring (at most 2 s), then stops its thread. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            disruptor.shutdown(2, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            disruptor.halt();
        }
    }

    private final class Dispatcher implements EventHandler<Event> {
        private final Consumer<QueueName> dispatch;
        private final Set<QueueName> marked = new LinkedHashSet<>();

        Dispatcher(Consumer<QueueName> dispatch) {
            this.dispatch = dispatch;
        }

        @Override
        public void onEvent(Event e, long sequence, boolean endOfBatch) {
            Collection<QueueName> qs = e.queues;
            e.queues = null; // the slot does not keep the collection alive
            if (qs != null) {
                marked.addAll(qs);
            }
            if (endOfBatch) {
                batches.incrementAndGet();
                for (QueueName q : marked) {
                    try {
                        dispatch.accept(q);
                    } catch (RuntimeException ex) {
                        log.warn("waking the push connections of {} failed", q, ex);
                    }
                }
                marked.clear();
            }
        }
    }

    private static final class LogAndGoOn implements ExceptionHandler<Event> {
        @Override
        public void handleEventException(Throwable ex, long sequence, Event event) {
            log.warn("the push ring's handler failed on event {}", sequence, ex);
        }

        @Override
        public void handleOnStartException(Throwable ex) {
            log.warn("the push ring's handler failed to start", ex);
        }

        @Override
        public void handleOnShutdownException(Throwable ex) {
            log.debug("the push ring's handler failed to stop", ex);
        }
    }
}

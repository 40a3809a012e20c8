package io.topaz.agent.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes log lines to standard output in batches, from one background thread. A logging thread only queues the event
 * (no lock, no wake-up of the writer, no system call); every {@code flushMillis} the writer encodes whatever is queued
 * and writes it with one call. The gateway logs a line per call from its event loops: with logback's
 * {@code AsyncAppender} each line woke the writer thread and cost a {@code write} of its own.
 *
 * <pre>
 *  event loop ──append: prepare, offer──▶ queue ──every flushMillis──▶ writer: encode all, one write + flush
 * </pre>
 *
 * <p>Not guaranteed: a line is lost when more than {@code capacity} lines wait (the writer cannot keep up); the loss
 * is counted and reported in the output as soon as there is room again. Lines still queued when the JVM ends without
 * stopping the logging context (logback's {@code shutdownHook}) are lost. Ordering is the queue's: per thread, the
 * order of logging.
 */
public final class BatchingConsoleAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {

    private final Queue<ILoggingEvent> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    /** The lines being written; its lock is held by whoever writes (the writer thread, or {@link #flush}). */
    private final ByteArrayOutputStream batch = new ByteArrayOutputStream(64 * 1024);
    private final boolean ownWriter;
    private Encoder<ILoggingEvent> encoder;
    private int capacity = 65_536;
    private long flushMillis = 5;
    private PrintStream out;
    private Thread writer;
    private volatile boolean running;

    /** The appender logback configures: a writer thread writes every {@code flushMillis}. */
    public BatchingConsoleAppender() {
        this(true);
    }

    /**
     * @param ownWriter false: no writer thread; lines are written only by {@link #flush} and {@link #stop} (so tests
     *                  decide when, instead of waiting for a thread)
     */
    BatchingConsoleAppender(boolean ownWriter) {
        this.ownWriter = ownWriter;
    }

    public void setEncoder(Encoder<ILoggingEvent> encoder) {
        this.encoder = encoder;
    }

    /** Lines that may wait for the writer; more are dropped and counted. Default 65,536. */
    public void setCapacity(int capacity) {
        this.capacity = capacity;
    }

    /**
     * How often the writer writes what is queued, in milliseconds. Default 5: the writer's turn is a burst on a core
     * the event loops share, and encoding less at a time keeps each burst short.
     */
    public void setFlushMillis(long flushMillis) {
        this.flushMillis = flushMillis;
    }

    /** Where the lines go instead of standard output (tests). */
    void setTarget(PrintStream target) {
        this.out = target;
    }

    @Override
    public void start() {
        if (encoder == null) {
            addError("no encoder for the appender named '" + name + "': add an <encoder> with a <pattern>");
            return;
        }
        if (capacity < 1 || flushMillis < 1) {
            addError("appender '" + name + "': capacity and flushMillis must be > 0, were " + capacity + " and "
                    + flushMillis);
            return;
        }
        if (out == null) {
            out = System.out;
        }
        if (ownWriter) {
            running = true;
            writer = new Thread(this::writeLoop, "topaz-log-writer-" + name);
            writer.setDaemon(true);
            writer.start();
        }
        super.start();
    }

    @Override
    protected void append(ILoggingEvent event) {
        event.prepareForDeferredProcessing(); // the message, thread name and MDC, as of now
        if (queued.incrementAndGet() > capacity) {
            queued.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        queue.offer(event);
    }

    @Override
    public void stop() {
        if (!isStarted()) {
            return;
        }
        super.stop();
        if (!ownWriter) {
            flush();
            return;
        }
        running = false;
        LockSupport.unpark(writer);
        try {
            writer.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeLoop() {
        while (running) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(flushMillis));
            flush();
        }
        flush(); // what was queued before stop()
    }

    /** Writes every line queued so far, and the report of lines dropped since the last write. */
    void flush() {
        synchronized (batch) {
            drain();
        }
    }

    private void drain() {
        ILoggingEvent e;
        while ((e = queue.poll()) != null) {
            queued.decrementAndGet();
            try {
                batch.writeBytes(encoder.encode(e));
            } catch (RuntimeException failure) {
                addError("appender '" + name + "' could not encode a log line", failure);
            }
            if (batch.size() >= 256 * 1024) {
                write();
            }
        }
        long lost = dropped.getAndSet(0);
        if (lost > 0) {
            batch.writeBytes(("topaz: " + lost + " log lines were dropped: more than " + capacity
                    + " were waiting to be written\n").getBytes(StandardCharsets.UTF_8));
        }
        write();
    }

    private void write() {
        if (batch.size() == 0) {
            return;
        }
        try {
            batch.writeTo(out);
            out.flush();
        } catch (IOException e) {
            addError("appender '" + name + "' could not write to standard output", e);
        }
        batch.reset();
    }
}

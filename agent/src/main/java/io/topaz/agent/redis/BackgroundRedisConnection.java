package io.topaz.agent.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Lettuce connection made in the background and retried every 5 s until Redis answers, so an agent starts whether
 * or not Redis does. Once made, Lettuce reconnects it by itself; while it is missing or reconnecting, commands fail at
 * once (not queued) and a command that takes longer than the timeout fails too, so callers fall back at once.
 * Close is safe twice, and also while a connection is being made.
 *
 * <p>The connections of one agent (the L2 cache's and the traffic counters', each with its own timeout) share one set
 * of Lettuce client resources — I/O threads, computation threads and timer — held while any connection is open.
 */
public final class BackgroundRedisConnection implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(BackgroundRedisConnection.class);

    private static final Object RESOURCES_LOCK = new Object();
    private static ClientResources sharedResources;
    private static int resourceUsers;

    private final RedisClient client;
    private final RedisURI uri;
    private final String purpose;
    private final String whileDown;
    private final ScheduledExecutorService connector;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile StatefulRedisConnection<String, String> connection;

    /**
     * @param purpose   what the connection is for, at the start of its log lines (e.g. "L2 cache")
     * @param whileDown what the agent does while Redis is missing, for the log (e.g. "reading L1 → L3")
     */
    public BackgroundRedisConnection(String redisUri, Duration timeout, String purpose, String whileDown) {
        this.uri = RedisURI.create(redisUri);
        this.uri.setTimeout(timeout);
        this.purpose = purpose;
        this.whileDown = whileDown;
        this.client = RedisClient.create(acquireResources());
        this.client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .build());
        this.connector = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "topaz-redis-connect");
            t.setDaemon(true);
            return t;
        });
        connector.execute(this::connect);
    }

    private void connect() {
        if (closed.get()) {
            return;
        }
        try {
            StatefulRedisConnection<String, String> c = client.connect(StringCodec.UTF8, uri);
            connection = c;
            if (closed.get()) { // closed while connecting
                c.close();
                return;
            }
            log.info("{}: connected to Redis {}:{}", purpose, uri.getHost(), uri.getPort());
        } catch (RuntimeException e) {
            log.warn("{}: Redis {}:{} not reachable ({}); {} and retrying in 5 s", purpose, uri.getHost(),
                    uri.getPort(), e.getMessage(), whileDown);
            if (!closed.get()) {
                connector.schedule(this::connect, 5, TimeUnit.SECONDS);
            }
        }
    }

    /** The connection, or null until it has been made. */
    public StatefulRedisConnection<String, String> current() {
        return connection;
    }

    /** Whether a connection exists now and is open (Lettuce may be reconnecting it). */
    public boolean ready() {
        StatefulRedisConnection<String, String> c = connection;
        return c != null && c.isOpen();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        connector.shutdownNow();
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2)); // leaves the shared resources alone
        releaseResources();
    }

    private static ClientResources acquireResources() {
        synchronized (RESOURCES_LOCK) {
            if (sharedResources == null) {
                sharedResources = DefaultClientResources.create();
            }
            resourceUsers++;
            return sharedResources;
        }
    }

    private static void releaseResources() {
        ClientResources last = null;
        synchronized (RESOURCES_LOCK) {
            if (--resourceUsers == 0) {
                last = sharedResources;
                sharedResources = null;
            }
        }
        if (last != null) {
            last.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }
}

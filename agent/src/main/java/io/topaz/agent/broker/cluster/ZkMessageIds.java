package io.topaz.agent.broker.cluster;

import io.topaz.agent.broker.BrokerException;
import io.topaz.agent.broker.BrokerMessage;
import io.topaz.agent.broker.MessageIds;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * Message ids from blocks of a ZooKeeper counter (Leaf's "segment" mode): the counter node holds the next id no agent
 * has taken; an agent takes {@code blockSize} ids by a compare-and-set of it ({@code setData} with the version it read,
 * retried on a conflict). Each block is handed out once, and the counter only grows, so ids are unique across agents
 * and restarts (a restarted agent takes a fresh block and abandons the rest of its old one).
 *
 * <p>{@link #next()} never waits for ZooKeeper: the next block is fetched on {@code executor} once three quarters of
 * the current one is used. When the current block is used up and no next block arrived (ZooKeeper unreachable, or the
 * ids below 2^53 are exhausted), {@link #next()} fails with {@link BrokerException.Kind#UNAVAILABLE} rather than reuse
 * an id; a failed fetch is retried by later calls, at most once per {@code retryNanos}.
 */
public final class ZkMessageIds implements MessageIds {

    private static final Logger log = LoggerFactory.getLogger(ZkMessageIds.class);

    /** 2^20 ids: one ZooKeeper write per million messages per agent. */
    public static final long DEFAULT_BLOCK = 1L << 20;
    private static final long RETRY_NANOS = 200_000_000L;
    private static final int MAX_CAS_ATTEMPTS = 100;

    private final CuratorFramework curator;
    private final String path;
    private final long blockSize;
    private final Executor executor;
    private final LongSupplier nanoTime;

    // guarded by this
    private long next;
    private long end;
    private long prefetchAt;
    private long[] pending;
    private boolean fetching;
    private long lastFailureNanos;
    private boolean failedOnce;
    private String lastFailure = "no block taken yet";

    /**
     * @param path     the counter node ({@code ZkLayout.messageIds()}); created holding 1 when missing
     * @param executor where blocks are fetched (blocking ZooKeeper calls); never a caller's thread
     */
    public ZkMessageIds(CuratorFramework curator, String path, long blockSize, Executor executor, LongSupplier nanoTime) {
        if (blockSize < 4 || blockSize > (1L << 40)) {
            throw new IllegalArgumentException("block size must be 4 to 2^40, was " + blockSize);
        }
        this.curator = curator;
        this.path = path;
        this.blockSize = blockSize;
        this.executor = executor;
        this.nanoTime = nanoTime;
    }

    /** Starts fetching the first block in the background. */
    public void start() {
        synchronized (this) {
            fetchLocked();
        }
    }

    /** Whether an id is at hand now (a block is held and not used up, or the next one has arrived). */
    public synchronized boolean ready() {
        return next < end || pending != null;
    }

    /** Whether the next block has arrived while the current one is still in use. */
    synchronized boolean hasNextBlock() {
        return pending != null;
    }

    @Override
    public long next() {
        synchronized (this) {
            if (next >= end) {
                if (pending == null) {
                    fetchLocked();
                    throw new BrokerException(BrokerException.Kind.UNAVAILABLE,
                            "no message id available (" + lastFailure + "); retry later");
                }
                install(pending);
                pending = null;
            }
            long id = next++;
            if (next >= prefetchAt && pending == null) {
                fetchLocked();
            }
            return id;
        }
    }

    private void install(long[] block) {
        next = block[0];
        end = block[1];
        prefetchAt = next + (end - next) * 3 / 4;
    }

    private void fetchLocked() {
        if (fetching || pending != null) {
            return;
        }
        if (failedOnce && nanoTime.getAsLong() - lastFailureNanos < RETRY_NANOS) {
            return;
        }
        fetching = true;
        try {
            executor.execute(this::fetch);
        } catch (RuntimeException rejected) { // the executor is shut down: the agent is stopping
            fetching = false;
        }
    }

    private void fetch() {
        long[] block = null;
        String failure = null;
        try {
            block = takeBlock();
        } catch (Exception e) {
            failure = e instanceof BrokerException ? e.getMessage() : "ZooKeeper: " + e;
            log.warn("cannot take a block of message ids from {}: {}", path, failure);
        }
        synchronized (this) {
            fetching = false;
            if (block != null) {
                failedOnce = false;
                if (next >= end) {
                    install(block);
                } else {
                    pending = block;
                }
            } else {
                failedOnce = true;
                lastFailureNanos = nanoTime.getAsLong();
                lastFailure = failure;
            }
        }
    }

    /** One block [first, end) by compare-and-set of the counter; blocking. */
    private long[] takeBlock() throws Exception {
        for (int attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
            Stat stat = new Stat();
            byte[] data;
            try {
                data = curator.getData().storingStatIn(stat).forPath(path);
            } catch (KeeperException.NoNodeException e) {
                try {
                    curator.create().creatingParentContainersIfNeeded().forPath(path, bytes(1));
                } catch (KeeperException.NodeExistsException raced) {
                    // another agent created it first
                }
                continue;
            }
            long first = Long.parseLong(new String(data, StandardCharsets.UTF_8).trim());
            if (first < 1 || first - 1 > BrokerMessage.MAX_ID - blockSize) {
                throw new BrokerException(BrokerException.Kind.UNAVAILABLE, "message ids exhausted: the counter "
                        + path + " is at " + first + " and a block of " + blockSize + " would cross 2^53");
            }
            long end = first + blockSize;
            try {
                curator.setData().withVersion(stat.getVersion()).forPath(path, bytes(end));
                log.debug("took message ids [{}, {})", first, end);
                return new long[] {first, end};
            } catch (KeeperException.BadVersionException conflict) {
                // another agent took a block meanwhile: read again
            }
        }
        throw new BrokerException(BrokerException.Kind.UNAVAILABLE,
                "too many conflicting block takers on " + path);
    }

    private static byte[] bytes(long value) {
        return Long.toString(value).getBytes(StandardCharsets.UTF_8);
    }
}

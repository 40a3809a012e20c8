package io.topaz.bench.sync;

import io.topaz.agent.sync.BucketRange;
import io.topaz.agent.sync.FullReconciliation;
import io.topaz.agent.sync.SellerScope;
import io.topaz.agent.sync.db.JdbcSourceOrders;
import io.topaz.agent.sync.db.JdbcTargetOrders;
import io.topaz.bench.messaging.TopazCluster;
import io.topaz.model.config.SellerGroup;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/**
 * The backlog-drain variant of {@link LiveSyncBench} ({@code BENCH_SYNC_BACKLOG=true}): the order stream is written
 * and published while the target's seller groups are assigned to no cluster — its queues take the messages, nobody
 * syncs them — then the groups are assigned and the time until the sync has consumed and written everything is
 * measured: the sync's rate with the machine to itself (the group's start included), not a lag at a sustained rate.
 */
final class BacklogDrain {

    private BacklogDrain() {
    }

    /** Publishes the whole stream with nobody syncing it, then assigns the groups and times the drain. */
    static LiveSyncBench.Result run(LiveSyncBench.Settings s, TopazCluster cluster, List<TradeCenter.Seller> sellers,
                                    OrderGenerator generator, BrokerPublisher publisher, JdbcSourceOrders source,
                                    JdbcTargetOrders target, PrintStream out) throws Exception {
        out.printf("bench-sync: backlog: %d changes/s for %d s over %d sellers, nobody syncing…%n", s.rate(),
                s.warmupSeconds() + s.seconds(), s.sellers());
        OrderGenerator.Totals totals = generator.run(sellers, false);
        publisher.close();
        out.println("bench-sync: generator: " + totals.stages());
        long[] before = LiveSyncBench.totals(cluster);
        assign(cluster);
        long start = System.nanoTime();
        double seconds = drained(cluster, totals.acknowledged(), start, Duration.ofSeconds(300));
        long[] after = LiveSyncBench.totals(cluster);
        FullReconciliation.Result check = new FullReconciliation(source, target)
                .run(SellerScope.all(new BucketRange(0, SellerGroup.BUCKETS)), 0, Long.MAX_VALUE);
        long messages = after[0] - before[0];
        long[] queues = LiveSyncBench.syncQueues(cluster);
        return new LiveSyncBench.Result(s.rate(), totals.rate(), messages / seconds, messages, after[1] - before[1],
                after[4] - before[4], after[2] - before[2], after[3] - before[3], -1, -1, -1, -1, 0, seconds,
                check.differences().size(), totals.failed(), true, s.burst(), totals.acknowledged(), queues[0],
                queues[1], totals.rate());
    }

    /** Assigns the groups to the agents' cluster and waits until they run. */
    private static void assign(TopazCluster cluster) throws Exception {
        LiveSyncBench.assignGroups(cluster);
        cluster.publishAndAwait();
        LiveSyncBench.awaitGroups(cluster);
    }

    /**
     * Seconds from {@code startNanos} until the groups consumed every acknowledged message and wrote the last of
     * them: the last time their messages or writes grew, once no growth was seen for a second.
     */
    private static double drained(TopazCluster cluster, long acknowledged, long startNanos, Duration timeout)
            throws Exception {
        long deadline = startNanos + timeout.toNanos();
        long[] last = LiveSyncBench.totals(cluster);
        long lastChange = System.nanoTime();
        while (System.nanoTime() < deadline) {
            Thread.sleep(100);
            long[] now = LiveSyncBench.totals(cluster);
            long t = System.nanoTime();
            if (now[0] != last[0] || now[2] != last[2]) {
                last = now;
                lastChange = t;
            } else if (now[0] >= acknowledged && t - lastChange >= 1_000_000_000L) {
                return (lastChange - startNanos) / 1e9;
            }
        }
        throw new IllegalStateException("the backlog was not drained within " + timeout);
    }
}

package io.topaz.agent.sync;

import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

/**
 * A full reconciliation of any range (buckets × modified range × tid range), as data-diff does: both databases
 * compute digests of tid sub-ranges ({@link RangeDigest}); ranges whose digests differ are split again
 * ({@code fanOut} parts) until they hold at most {@code leafRows} rows, and only those leaves' keys are read and
 * compared. Equal data costs one digest query per side; a handful of differences among a million rows costs a few
 * levels of digests over shrinking ranges and a few leaves.
 */
public final class FullReconciliation {

    /** The outcome, with what it cost: digest queries per side, leaves read, and keys read at the leaves. */
    public record Result(List<Difference> differences, int digestQueries, int leaves, long keysRead) {
    }

    private final SourceOrders source;
    private final TargetOrders target;
    private final int fanOut;
    private final int leafRows;
    private final Executor sourceSide;

    /**
     * @param sourceSide runs the source's query while the caller's thread runs the target's (the two databases work
     *                   at once); {@code Runnable::run} runs them one after the other
     */
    public FullReconciliation(SourceOrders source, TargetOrders target, int fanOut, int leafRows,
                              Executor sourceSide) {
        if (fanOut < 2 || leafRows < 1) {
            throw new IllegalArgumentException("fanOut must be at least 2 and leafRows at least 1");
        }
        this.source = source;
        this.target = target;
        this.fanOut = fanOut;
        this.leafRows = leafRows;
        this.sourceSide = sourceSide;
    }

    /** Fan-out 16, leaves of at most 1,000 rows, the two sides queried one after the other. */
    public FullReconciliation(SourceOrders source, TargetOrders target) {
        this(source, target, 16, 1_000, Runnable::run);
    }

    /** A query on one side. */
    @FunctionalInterface
    private interface Query<T> {
        T run() throws SQLException;
    }

    /** Both sides' answers: the source's on {@code sourceSide}, the target's on this thread. */
    private <T> List<T> both(Query<T> onSource, Query<T> onTarget) throws SQLException {
        CompletableFuture<T> s = new CompletableFuture<>();
        sourceSide.execute(() -> {
            try {
                s.complete(onSource.run());
            } catch (Throwable e) {
                s.completeExceptionally(e);
            }
        });
        T t = onTarget.run();
        try {
            return java.util.Arrays.asList(s.get(), t);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while the source was queried", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            throw new SQLException("source query failed: " + e.getCause(), e.getCause());
        }
    }

    /** Every order of these buckets modified in {@code [fromMillis, toMillis)}. */
    public Result run(BucketRange buckets, long fromMillis, long toMillis) throws SQLException {
        return run(buckets, fromMillis, toMillis, 0, Long.MAX_VALUE);
    }

    /** The orders of these buckets modified in {@code [fromMillis, toMillis)} with tid in {@code [tidFrom, tidTo)}. */
    public Result run(BucketRange buckets, long fromMillis, long toMillis, long tidFrom, long tidTo)
            throws SQLException {
        List<RangeDigest> bounds = both(() -> source.digest(buckets, fromMillis, toMillis),
                () -> target.digest(buckets, fromMillis, toMillis));
        RangeDigest s = bounds.get(0);
        RangeDigest t = bounds.get(1);
        int digestQueries = 1;
        boolean whole = tidFrom <= Math.min(s.tidFrom(), t.tidFrom()) && tidTo >= Math.max(s.tidTo(), t.tidTo());
        if (s.count() == 0 && t.count() == 0 || whole && s.equals(t)) {
            return new Result(List.of(), digestQueries, 0, 0);
        }
        long lo = Math.max(tidFrom, Math.min(s.count() == 0 ? t.tidFrom() : s.tidFrom(),
                t.count() == 0 ? s.tidFrom() : t.tidFrom()));
        long hi = Math.min(tidTo, Math.max(s.count() == 0 ? t.tidTo() : s.tidTo(),
                t.count() == 0 ? s.tidTo() : t.tidTo()));
        List<Difference> differences = new ArrayList<>();
        int leaves = 0;
        long keysRead = 0;
        Deque<long[]> pending = new ArrayDeque<>();
        if (lo < hi) {
            pending.push(new long[] {lo, hi, Math.max(s.count(), t.count())});
        }
        while (!pending.isEmpty()) {
            long[] range = pending.pop();
            if (range[2] <= leafRows || range[1] - range[0] <= leafRows) {
                List<List<OrderKey>> keys = both(() -> source.keys(buckets, fromMillis, toMillis, range[0], range[1]),
                        () -> target.keys(buckets, fromMillis, toMillis, range[0], range[1]));
                List<OrderKey> sk = keys.get(0);
                List<OrderKey> tk = keys.get(1);
                leaves++;
                keysRead += sk.size() + tk.size();
                differences.addAll(KeyDiff.diff(sk, tk, source, target));
                continue;
            }
            List<List<RangeDigest>> parts = both(
                    () -> source.digests(buckets, fromMillis, toMillis, range[0], range[1], fanOut),
                    () -> target.digests(buckets, fromMillis, toMillis, range[0], range[1], fanOut));
            List<RangeDigest> sd = parts.get(0);
            List<RangeDigest> td = parts.get(1);
            digestQueries++;
            for (int i = sd.size() - 1; i >= 0; i--) {
                RangeDigest a = sd.get(i);
                RangeDigest b = td.get(i);
                if (a.count() != b.count() || a.hash() != b.hash()) {
                    pending.push(new long[] {a.tidFrom(), a.tidTo(), Math.max(a.count(), b.count())});
                }
            }
        }
        differences.sort(Comparator.comparingLong(Difference::tid));
        return new Result(differences, digestQueries, leaves, keysRead);
    }
}

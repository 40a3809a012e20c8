package io.topaz.agent.sync;

import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

/**
 * A full reconciliation of any range (seller scope × modified range × tid range), as data-diff does: each side first
 * finds the tightest tid range holding its live rows (two index probes), then both databases compute the digests of
 * {@code fanOut} tid sub-ranges of the union in one grouped scan each ({@link RangeDigest}); sub-ranges whose digests
 * differ are split again the same way until they hold at most {@code leafRows} rows, and only those leaves' keys are
 * read and compared. Equal data costs one scan per side; a handful of differences among a million rows costs that
 * scan, a few levels of digests over shrinking ranges and a few leaves.
 */
public final class FullReconciliation {

    /**
     * The outcome, with what it cost: digest queries per side (each one grouped scan of a range, whatever its
     * parts), leaves read, and keys read at the leaves.
     */
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

    /** Every order of the scope modified in {@code [fromMillis, toMillis)}. */
    public Result run(SellerScope scope, long fromMillis, long toMillis) throws SQLException {
        return run(scope, fromMillis, toMillis, 0, Long.MAX_VALUE);
    }

    /** The orders of the scope modified in {@code [fromMillis, toMillis)} with tid in {@code [tidFrom, tidTo)}. */
    public Result run(SellerScope scope, long fromMillis, long toMillis, long tidFrom, long tidTo)
            throws SQLException {
        List<Optional<TidRange>> bounds = both(() -> source.liveTids(scope, fromMillis, toMillis),
                () -> target.liveTids(scope, fromMillis, toMillis));
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        for (Optional<TidRange> b : bounds) {
            if (b.isPresent()) {
                lo = Math.min(lo, b.get().from());
                hi = Math.max(hi, b.get().to());
            }
        }
        lo = Math.max(lo, tidFrom);
        hi = Math.min(hi, tidTo);
        int digestQueries = 0;
        List<Difference> differences = new ArrayList<>();
        int leaves = 0;
        long keysRead = 0;
        Deque<long[]> pending = new ArrayDeque<>();
        if (lo < hi) {
            pending.push(new long[] {lo, hi, Long.MAX_VALUE}); // rows unknown: split unless the tids are few
        }
        while (!pending.isEmpty()) {
            long[] range = pending.pop();
            if (range[2] <= leafRows || range[1] - range[0] <= leafRows) {
                List<List<OrderKey>> keys = both(() -> source.keys(scope, fromMillis, toMillis, range[0], range[1]),
                        () -> target.keys(scope, fromMillis, toMillis, range[0], range[1]));
                List<OrderKey> sk = keys.get(0);
                List<OrderKey> tk = keys.get(1);
                leaves++;
                keysRead += sk.size() + tk.size();
                differences.addAll(KeyDiff.diff(sk, tk, source, target));
                continue;
            }
            List<List<RangeDigest>> parts = both(
                    () -> source.digests(scope, fromMillis, toMillis, range[0], range[1], fanOut),
                    () -> target.digests(scope, fromMillis, toMillis, range[0], range[1], fanOut));
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

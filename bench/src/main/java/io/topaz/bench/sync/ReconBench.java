package io.topaz.bench.sync;

import io.topaz.agent.sync.BucketRange;
import io.topaz.agent.sync.Difference;
import io.topaz.agent.sync.Fence;
import io.topaz.agent.sync.FullReconciliation;
import io.topaz.agent.sync.OrderKey;
import io.topaz.agent.sync.OrderRow;
import io.topaz.agent.sync.SellerScope;
import io.topaz.agent.sync.db.JdbcSourceOrders;
import io.topaz.agent.sync.db.JdbcTargetOrders;
import io.topaz.model.config.SellerGroup;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The full-reconciliation part of {@code scripts/bench-sync.sh}: {@code orders} orders copied to the target, then a
 * handful of differences planted on either side (orders changed or deleted at the source only, one created at the
 * source only, one target row changed and one removed), then, in the same run, {@link FullReconciliation} (digests of
 * tid ranges computed in each database, bisected to leaves) against comparing every row (every key read from both
 * sides and compared in order). Both must find exactly the planted differences.
 */
final class ReconBench {

    /** The figures of one run. */
    record Result(long orders, double loadSeconds, int planted, int found, double seconds, int digestQueries,
                  int leaves, long keysRead, int foundByAll, double allSeconds, long allKeysRead,
                  double coveredSeconds, int foundCovered) {
    }

    private static final SellerScope ALL = SellerScope.all(new BucketRange(0, SellerGroup.BUCKETS));
    private static final int CHUNK = 5_000;
    private static final long FIRST_TID = 2_000_000_001L;

    private ReconBench() {
    }

    /**
     * With {@code covering}, the bisection runs a second time after an index of (bucket, tid, modified, jdp_hashcode,
     * deleted) is added on both sides — not part of the schema today: it shows what reading the documents costs.
     */
    static Result run(int orders, boolean covering, PrintStream out) throws Exception {
        ExecutorService sourceSide = Executors.newSingleThreadExecutor();
        try (BenchDatabases db = new BenchDatabases("recon")) {
            JdbcSourceOrders source = db.source(4);
            JdbcTargetOrders target = db.target(4);
            out.printf("bench-sync: loading %,d orders into PostgreSQL (%s) and MariaDB…%n", orders, db.name);
            long t0 = System.nanoTime();
            long lastTid = load(source, target, orders);
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            out.printf("bench-sync: loaded in %.0f s%n", loadSeconds);
            int planted = plant(db, source, target, lastTid);
            long ts = System.nanoTime();
            settle(db);
            out.printf("bench-sync: vacuumed and analyzed in %.0f s%n", (System.nanoTime() - ts) / 1e9);

            long t1 = System.nanoTime();
            // the source's queries on their own thread while this one runs the target's, as the engine's would
            FullReconciliation recon = new FullReconciliation(source, target, 16, 1_000, sourceSide);
            FullReconciliation.Result full = recon.run(ALL, 0, Long.MAX_VALUE);
            double seconds = (System.nanoTime() - t1) / 1e9;

            long t2 = System.nanoTime();
            List<OrderKey> sk = source.keys(ALL, 0, Long.MAX_VALUE, 0, Long.MAX_VALUE);
            List<OrderKey> tk = target.keys(ALL, 0, Long.MAX_VALUE, 0, Long.MAX_VALUE);
            int foundByAll = compareAll(sk, tk);
            double allSeconds = (System.nanoTime() - t2) / 1e9;

            double coveredSeconds = -1;
            int foundCovered = -1;
            if (covering) { // the same, once both sides have an index holding every column the digests read
                coveringIndexes(db);
                long t3 = System.nanoTime();
                foundCovered = recon.run(ALL, 0, Long.MAX_VALUE).differences().size();
                coveredSeconds = (System.nanoTime() - t3) / 1e9;
            }
            return new Result(orders, loadSeconds, planted, full.differences().size(), seconds, full.digestQueries(),
                    full.leaves(), full.keysRead(), foundByAll, allSeconds, sk.size() + (long) tk.size(),
                    coveredSeconds, foundCovered);
        } finally {
            sourceSide.shutdown();
        }
    }

    /** Loads the orders on both sides, source and target in parallel chunk by chunk; returns the last tid. */
    private static long load(JdbcSourceOrders source, JdbcTargetOrders target, int orders) throws Exception {
        TradeCenter center = new TradeCenter(TradeCenter.sellers(10_000, 3_200_000_001L, "bench_seller_0"), 1.1, 1,
                FIRST_TID, new Random(18));
        Fence fence = new Fence("bench", "all", 1, "bench-sync");
        long start = System.currentTimeMillis() - 90L * 24 * 3600 * 1000; // the last 90 days, as JDP's backfill
        long step = Math.max(1, (System.currentTimeMillis() - 60_000 - start) / orders);
        long lastTid = 0;
        CompletableFuture<?> pending = CompletableFuture.completedFuture(null);
        for (int done = 0; done < orders; done += CHUNK) {
            List<TradeCenter.Change> chunk = new ArrayList<>(CHUNK);
            for (int i = done; i < Math.min(orders, done + CHUNK); i++) {
                chunk.add(center.newOrder(start + i * step));
            }
            List<OrderRow> rows = chunk.stream().map(TradeCenter.Change::row).toList();
            lastTid = rows.get(rows.size() - 1).tid();
            pending.join();
            CompletableFuture<Void> s = CompletableFuture.runAsync(() -> unchecked(() ->
                    source.save(rows, r -> chunk.get((int) (r.tid() - rows.get(0).tid())).payment())));
            CompletableFuture<Void> t = CompletableFuture.runAsync(() -> unchecked(() -> target.write(rows, fence)));
            pending = CompletableFuture.allOf(s, t);
        }
        pending.join();
        return lastTid;
    }

    /** Six differences: returns how many. */
    private static int plant(BenchDatabases db, JdbcSourceOrders source, JdbcTargetOrders target, long lastTid)
            throws Exception {
        long now = System.currentTimeMillis();
        List<OrderRow> changed = new ArrayList<>();
        long base = FIRST_TID;
        long count = lastTid - base + 1;
        List<OrderRow> picked = source.read(List.of(base + count / 3, base + 1234 % count, base + count * 2 / 3,
                base + 42 % count));
        if (picked.size() < 4) {
            throw new IllegalStateException("could not pick the orders to change (" + picked + ")");
        }
        for (int i = 0; i < 2; i++) { // changed at the source, its message lost: older on the target
            OrderRow r = picked.get(i);
            changed.add(new OrderRow(r.tid(), r.sellerId(), r.sellerNick(), r.buyerNick(), "TRADE_FINISHED",
                    r.type(), r.created(), Instant.ofEpochMilli(now), false, r.bucket(),
                    r.document().replace("\"WAIT_BUYER_PAY\"", "\"TRADE_FINISHED\"")));
        }
        OrderRow d = picked.get(2); // deleted at the source only
        changed.add(new OrderRow(d.tid(), d.sellerId(), d.sellerNick(), d.buyerNick(), d.status(), d.type(),
                d.created(), Instant.ofEpochMilli(now), true, d.bucket(), d.document()));
        OrderRow n = picked.get(3); // a new order at the source only
        changed.add(new OrderRow(lastTid + 1, n.sellerId(), n.sellerNick(), n.buyerNick(), n.status(), n.type(),
                Instant.ofEpochMilli(now), Instant.ofEpochMilli(now), false, n.bucket(),
                n.document().replace("\"tid\":" + n.tid(), "\"tid\":" + (lastTid + 1))));
        source.save(changed);
        try (Connection c = db.targetPool().getConnection()) {
            // MariaDB assigns left to right: the hashcode first, from the response as it was
            try (PreparedStatement ps = c.prepareStatement("UPDATE jdp_tb_trade SET jdp_hashcode = "
                    + "MD5(CONCAT(jdp_response, ' ')), jdp_response = CONCAT(jdp_response, ' ') WHERE tid = ?")) {
                ps.setLong(1, base + count / 2); // a lost or corrupted write
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM jdp_tb_trade WHERE tid = ?")) {
                ps.setLong(1, base + 999 % count); // a row the target lost
                ps.executeUpdate();
            }
        }
        return 6;
    }

    /**
     * Brings the freshly loaded tables to the state a live database keeps them in (autovacuum, statistics): without it
     * the first reads of a million rows just written pay PostgreSQL's hint-bit writes and plan without statistics
     * (65 s instead of 7 s for the bisection, in one run).
     */
    private static void settle(BenchDatabases db) throws Exception {
        try (Connection c = db.sourcePool().getConnection(); var s = c.createStatement()) {
            s.execute("VACUUM ANALYZE tb_trade");
        }
        try (Connection c = db.targetPool().getConnection(); var s = c.createStatement()) {
            s.execute("ANALYZE TABLE jdp_tb_trade");
        }
    }

    private static void coveringIndexes(BenchDatabases db) throws Exception {
        try (Connection c = db.sourcePool().getConnection(); var s = c.createStatement()) {
            s.execute("CREATE INDEX bench_covering ON tb_trade (bucket, tid, modified, jdp_hashcode, deleted)");
            s.execute("ANALYZE tb_trade");
        }
        try (Connection c = db.targetPool().getConnection(); var s = c.createStatement()) {
            s.execute("CREATE INDEX bench_covering ON jdp_tb_trade (jdp_bucket, tid, modified, jdp_hashcode, "
                    + "jdp_delete)");
            s.execute("ANALYZE TABLE jdp_tb_trade");
        }
    }

    /** Every key of both sides, merged by tid and compared as reconciliation does; the number that differ. */
    static int compareAll(List<OrderKey> source, List<OrderKey> target) {
        int differ = 0;
        int i = 0;
        int j = 0;
        while (i < source.size() || j < target.size()) {
            OrderKey s = i < source.size() ? source.get(i) : null;
            OrderKey t = j < target.size() ? target.get(j) : null;
            if (t == null || s != null && s.tid() < t.tid()) {
                t = null;
                i++;
            } else if (s == null || t.tid() < s.tid()) {
                s = null;
                j++;
            } else {
                i++;
                j++;
            }
            if (Difference.compare(s, t) != null) {
                differ++;
            }
        }
        return differ;
    }

    private interface Sql {
        void run() throws Exception;
    }

    private static void unchecked(Sql sql) {
        try {
            sql.run();
        } catch (Exception e) {
            throw new IllegalStateException("loading the bench orders failed: " + e.getMessage(), e);
        }
    }

    static void print(Result r, PrintStream out) {
        out.printf("full reconciliation of %,d orders with %d planted differences:%n", r.orders(), r.planted());
        out.printf("  digests + bisection  %.2f s, found %d (%d digest queries per side, %d leaves, %,d keys read)%n",
                r.seconds(), r.found(), r.digestQueries(), r.leaves(), r.keysRead());
        out.printf("  comparing every row  %.2f s, found %d (%,d keys read)%n", r.allSeconds(), r.foundByAll(),
                r.allKeysRead());
        out.printf("  speed-up %.1fx; target <= 10 s: %s%n", r.allSeconds() / r.seconds(),
                r.seconds() <= 10 ? "met" : "NOT met");
        if (r.coveredSeconds() >= 0) {
            out.printf("  with a covering index (bucket, tid, modified, jdp_hashcode, deleted) on both sides: %.2f s, "
                    + "found %d%n", r.coveredSeconds(), r.foundCovered());
        }
    }
}

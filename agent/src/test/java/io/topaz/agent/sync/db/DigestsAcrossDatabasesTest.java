package io.topaz.agent.sync.db;

import io.topaz.agent.sync.BucketRange;
import io.topaz.agent.sync.Fence;
import io.topaz.agent.sync.OrderRow;
import io.topaz.agent.sync.RangeDigest;
import io.topaz.agent.sync.SellerScope;
import io.topaz.agent.sync.TidRange;
import io.topaz.model.config.SellerGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.topaz.agent.sync.db.TestOrders.T0;
import static io.topaz.agent.sync.db.TestOrders.row;
import static org.assertj.core.api.Assertions.assertThat;

/** The same rows give the same digests in PostgreSQL, MariaDB and H2, as sources and as targets. */
class DigestsAcrossDatabasesTest {

    private static final SellerScope ALL = SellerScope.all(new BucketRange(0, SellerGroup.BUCKETS));
    private final List<SyncTestDatabases.Db> dbs = new ArrayList<>();

    @AfterEach
    void drop() {
        dbs.forEach(SyncTestDatabases.Db::close);
    }

    @Test
    void digestsAreEqualOnEveryDatabaseAndSide() throws Exception {
        List<OrderRow> rows = new ArrayList<>(TestOrders.rows(1, 2_001));
        rows.set(5, row(6, T0 + 6, "TRADE_CLOSED", true)); // deleted: left out of digests on both sides
        rows.add(row(9_000_000_000L, T0 + 3, "WAIT_BUYER_PAY"));
        // 1,500 more orders of as many sellers: a scope listing every seller is queried in chunks
        Map<Long, String> everyone = new LinkedHashMap<>();
        for (long tid = 20_001; tid <= 21_500; tid++) {
            OrderRow r = row(tid, T0 + tid % 5_000, "WAIT_BUYER_PAY");
            rows.add(new OrderRow(tid, 100_000 + tid, "nick" + tid, r.buyerNick(), r.status(), r.type(), r.created(),
                    r.modified(), false, SellerGroup.bucketOf(Long.toString(100_000 + tid)), r.document()));
        }
        rows.forEach(r -> everyone.put(r.sellerId(), r.sellerNick()));
        SellerScope listed = SellerScope.of(ALL.buckets(), everyone);
        assertThat(listed.chunks()).hasSizeGreaterThan(1);

        Map<String, List<Object>> results = new LinkedHashMap<>();
        for (Dialect d : Dialect.values()) {
            SyncTestDatabases.Db sdb = SyncTestDatabases.create(d);
            dbs.add(sdb);
            JdbcSourceOrders source = new JdbcSourceOrders(sdb.pool(), d);
            source.ensureSchema();
            source.save(rows);
            assertThat(source.liveTids(ALL, T0, T0 + 10_000)).as(d + " source")
                    .contains(new TidRange(1, 9_000_000_001L));
            assertThat(source.liveTids(listed, T0, T0 + 10_000)).contains(new TidRange(1, 9_000_000_001L));
            assertThat(source.digest(listed, T0, T0 + 10_000)).as(d + " source, chunked")
                    .isEqualTo(source.digest(ALL, T0, T0 + 10_000));
            assertThat(source.digests(listed, T0, T0 + 10_000, 0, 30_000, 8)).as(d + " source, chunked")
                    .isEqualTo(source.digests(ALL, T0, T0 + 10_000, 0, 30_000, 8));
            assertThat(source.keys(listed, T0, T0 + 10_000, 19_990, 20_010)).as(d + " source, chunked")
                    .isEqualTo(source.keys(ALL, T0, T0 + 10_000, 19_990, 20_010));
            assertThat(source.liveTids(ALL, T0 + 20_000, T0 + 30_000)).as(d + " source, nothing modified").isEmpty();
            results.put(d + " source", digests(source.digest(ALL, T0, T0 + 10_000),
                    source.digests(ALL, T0, T0 + 10_000, 0, 10_000_000_000L, 16),
                    source.digests(ALL, T0 + 100, T0 + 1_500, 1, 2_001, 7),
                    source.digests(SellerScope.all(new BucketRange(0, 512)), T0, T0 + 10_000, 1, 2_001, 3)));

            SyncTestDatabases.Db tdb = SyncTestDatabases.create(d);
            dbs.add(tdb);
            JdbcTargetOrders target = new JdbcTargetOrders(tdb.pool(), d, Clock.systemUTC());
            target.ensureSchema();
            target.write(rows, new Fence("t", "g", 1, "me"));
            assertThat(target.liveTids(ALL, T0, T0 + 10_000)).as(d + " target")
                    .contains(new TidRange(1, 9_000_000_001L));
            assertThat(target.digest(listed, T0, T0 + 10_000)).as(d + " target, chunked")
                    .isEqualTo(target.digest(ALL, T0, T0 + 10_000));
            assertThat(target.digests(listed, T0, T0 + 10_000, 0, 30_000, 8)).as(d + " target, chunked")
                    .isEqualTo(target.digests(ALL, T0, T0 + 10_000, 0, 30_000, 8));
            assertThat(target.liveTids(ALL, T0 + 20_000, T0 + 30_000)).as(d + " target, nothing modified").isEmpty();
            results.put(d + " target", digests(target.digest(ALL, T0, T0 + 10_000),
                    target.digests(ALL, T0, T0 + 10_000, 0, 10_000_000_000L, 16),
                    target.digests(ALL, T0 + 100, T0 + 1_500, 1, 2_001, 7),
                    target.digests(SellerScope.all(new BucketRange(0, 512)), T0, T0 + 10_000, 1, 2_001, 3)));
        }
        List<Object> first = results.values().iterator().next();
        assertThat(((RangeDigest) first.get(0)).count()).isEqualTo(3_500);
        assertThat(first.get(0)).isEqualTo(new RangeDigest(1, 9_000_000_001L, 3_500, ((RangeDigest) first.get(0)).hash()));
        results.forEach((name, digests) -> assertThat(digests).as(name).isEqualTo(first));
    }

    private static List<Object> digests(RangeDigest whole, List<RangeDigest>... parts) {
        List<Object> all = new ArrayList<>();
        all.add(whole);
        for (List<RangeDigest> p : parts) {
            all.addAll(p);
        }
        return all;
    }
}

package io.topaz.agent.sync.db;

import io.topaz.agent.sync.BucketRange;
import io.topaz.agent.sync.Difference;
import io.topaz.agent.sync.Difference.Reason;
import io.topaz.agent.sync.Fence;
import io.topaz.agent.sync.FullReconciliation;
import io.topaz.agent.sync.IncrementalReconciliation;
import io.topaz.agent.sync.OrderRow;
import io.topaz.agent.sync.SellerScope;
import io.topaz.model.config.SellerGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

import static io.topaz.agent.sync.db.TestOrders.T0;
import static io.topaz.agent.sync.db.TestOrders.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * A PostgreSQL source of 100,000 orders against a MariaDB or PostgreSQL target that differs in a handful of rows:
 * full reconciliation finds exactly those, with their reasons, reading keys only at a few small leaves.
 */
class FullReconciliationTest {

    private static final int ROWS = 100_000;
    private static final SellerScope ALL = SellerScope.all(new BucketRange(0, SellerGroup.BUCKETS));
    private static final Fence FENCE = new Fence("demo", "all", 1, "test");

    private SyncTestDatabases.Db sourceDb;
    private SyncTestDatabases.Db targetDb;

    @AfterEach
    void drop() {
        if (sourceDb != null) {
            sourceDb.close();
        }
        if (targetDb != null) {
            targetDb.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Dialect.class, names = {"MARIADB", "POSTGRESQL"})
    void findsAHandfulOfDifferencesAmong100000RowsReadingOnlyLeaves(Dialect targetDialect) throws Exception {
        sourceDb = SyncTestDatabases.create(Dialect.POSTGRESQL);
        targetDb = SyncTestDatabases.create(targetDialect);
        JdbcSourceOrders source = new JdbcSourceOrders(sourceDb.pool(), Dialect.POSTGRESQL);
        JdbcTargetOrders target = new JdbcTargetOrders(targetDb.pool(), targetDialect, Clock.systemUTC());
        source.ensureSchema();
        target.ensureSchema();
        LoweringTrigger.install(targetDb.pool());
        for (long from = 1; from <= ROWS; from += 10_000) {
            List<OrderRow> rows = TestOrders.rows(from, from + 10_000);
            source.save(rows);
            target.write(rows, FENCE);
        }
        long to = T0 + 10L * 24 * 3600 * 1000;
        ExecutorService sourceSide = Executors.newSingleThreadExecutor();
        FullReconciliation full = new FullReconciliation(source, target, 16, 1_000, sourceSide);
        FullReconciliation.Result same = full.run(ALL, T0, to);
        assertThat(same.differences()).isEmpty();
        assertThat(same.keysRead()).isZero();

        execute(targetDb, "DELETE FROM jdp_tb_trade WHERE tid IN (1234, 50000)");
        source.save(List.of(row(777, T0 + 777 + 5, "TRADE_FINISHED"),        // target older: a lost write
                row(88_888, T0 + 88_888, "SELLER_CONSIGNED_PART"),            // same modified, another document
                row(4_242, T0 + 4_242 + 9, "TRADE_CLOSED", true)));           // deleted at the source
        target.write(List.of(row(ROWS + 5, T0 + 5, "WAIT_BUYER_PAY")), FENCE); // unknown to the source
        try (Connection c = targetDb.pool().getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE jdp_tb_trade SET modified = ? WHERE tid = 99999")) {
            ps.setObject(1, LocalDateTime.ofInstant(Instant.ofEpochMilli(T0 + 3_600_000), ZoneOffset.UTC));
            ps.executeUpdate();
        }

        FullReconciliation.Result result = full.run(ALL, T0, to);
        assertThat(result.differences().stream().collect(Collectors.toMap(Difference::tid, Difference::reason)))
                .containsOnly(entry(1_234L, Reason.MISSING_ON_TARGET), entry(50_000L, Reason.MISSING_ON_TARGET),
                        entry(777L, Reason.OLDER_ON_TARGET), entry(88_888L, Reason.HASH_DIFFERS),
                        entry(4_242L, Reason.OLDER_ON_TARGET), entry((long) ROWS + 5, Reason.EXTRA_ON_TARGET),
                        entry(99_999L, Reason.NEWER_ON_TARGET));
        assertThat(result.leaves()).isLessThanOrEqualTo(7);
        assertThat(result.keysRead()).as("keys read at the leaves").isLessThan(7 * 2 * 1_000);

        // repaired through the conditional write, only the unrepairable remain
        List<Long> repairable = result.differences().stream()
                .filter(d -> d.reason() != Reason.EXTRA_ON_TARGET && d.reason() != Reason.NEWER_ON_TARGET)
                .map(Difference::tid).toList();
        assertThat(target.write(source.read(repairable), FENCE).written()).isEqualTo(5);
        Map<Long, Reason> left = full.run(ALL, T0, to).differences().stream()
                .collect(Collectors.toMap(Difference::tid, Difference::reason));
        assertThat(left).containsOnly(entry((long) ROWS + 5, Reason.EXTRA_ON_TARGET),
                entry(99_999L, Reason.NEWER_ON_TARGET));
        assertThat(LoweringTrigger.lowered(targetDb.pool())).isEmpty();

        // the incremental cycle sees the same among recently modified orders, and a narrower range only its own
        assertThat(IncrementalReconciliation.compare(source, target, ALL, T0 + 700, T0 + 800))
                .extracting(Difference::tid).isEmpty();
        assertThat(new FullReconciliation(source, target).run(ALL, T0, to, 90_000, 100_000).differences())
                .extracting(Difference::tid).containsExactly(99_999L);
        sourceSide.shutdown();
    }

    private static void execute(SyncTestDatabases.Db db, String sql) throws Exception {
        try (Connection c = db.pool().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}

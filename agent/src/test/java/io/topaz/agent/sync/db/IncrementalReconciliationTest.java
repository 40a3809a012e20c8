package io.topaz.agent.sync.db;

import io.topaz.agent.sync.BucketRange;
import io.topaz.agent.sync.Difference;
import io.topaz.agent.sync.Difference.Reason;
import io.topaz.agent.sync.Fence;
import io.topaz.agent.sync.IncrementalReconciliation;
import io.topaz.agent.sync.OrderRow;
import io.topaz.agent.sync.SellerScope;
import io.topaz.model.config.SellerGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static io.topaz.agent.sync.db.TestOrders.T0;
import static io.topaz.agent.sync.db.TestOrders.row;
import static org.assertj.core.api.Assertions.assertThat;

/** Cycles over the orders modified since the last one (with an overlap), PostgreSQL source, MariaDB target. */
class IncrementalReconciliationTest {

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

    @Test
    void eachCycleFindsWhatChangedSinceTheLastWithAnOverlap() throws Exception {
        sourceDb = SyncTestDatabases.create(Dialect.POSTGRESQL);
        targetDb = SyncTestDatabases.create(Dialect.MARIADB);
        JdbcSourceOrders source = new JdbcSourceOrders(sourceDb.pool(), Dialect.POSTGRESQL);
        JdbcTargetOrders target = new JdbcTargetOrders(targetDb.pool(), Dialect.MARIADB, Clock.systemUTC());
        source.ensureSchema();
        target.ensureSchema();
        List<OrderRow> rows = TestOrders.rows(1, 101);
        source.save(rows);
        target.write(rows, FENCE);

        AtomicLong now = new AtomicLong(T0 + 10_000);
        IncrementalReconciliation cycles = new IncrementalReconciliation(source, target, ALL, clock(now),
                Duration.ofSeconds(2), Duration.ofSeconds(1), T0);
        assertThat(cycles.cycle()).isEmpty();
        assertThat(cycles.cursor()).isEqualTo(T0 + 9_000);

        source.save(List.of(row(5, T0 + 9_500, "TRADE_FINISHED"), row(6, T0 + 12_000, "TRADE_FINISHED")));
        now.set(T0 + 11_000);
        assertThat(cycles.cycle()).extracting(Difference::tid, Difference::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(5L, Reason.OLDER_ON_TARGET));

        target.write(List.of(row(1_000, T0 + 12_500, "WAIT_BUYER_PAY")), FENCE);
        now.set(T0 + 14_000);
        assertThat(cycles.cycle()).extracting(Difference::tid, Difference::reason).containsExactly(
                org.assertj.core.groups.Tuple.tuple(5L, Reason.OLDER_ON_TARGET),
                org.assertj.core.groups.Tuple.tuple(6L, Reason.OLDER_ON_TARGET),
                org.assertj.core.groups.Tuple.tuple(1_000L, Reason.EXTRA_ON_TARGET));

        target.write(source.read(List.of(5L, 6L)), FENCE);
        now.set(T0 + 15_000);
        assertThat(cycles.cycle()).extracting(Difference::tid).containsExactly(1_000L);
        now.set(T0 + 30_000);
        assertThat(cycles.cycle()).as("within the overlap of the last cycle").extracting(Difference::tid)
                .containsExactly(1_000L);
        now.set(T0 + 40_000);
        assertThat(cycles.cycle()).as("past the overlap").isEmpty();
    }

    private static Clock clock(AtomicLong millis) {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(millis.get());
            }
        };
    }
}

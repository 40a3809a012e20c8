package io.topaz.agent.sync.engine;

import io.topaz.agent.broker.DeadLetterQuery;
import io.topaz.agent.sync.Fence;
import io.topaz.agent.sync.OrderKey;
import io.topaz.agent.sync.OrderRow;
import io.topaz.agent.sync.SellerPermits;
import io.topaz.agent.sync.db.Dialect;
import io.topaz.agent.sync.db.JdbcTargetOrders;
import io.topaz.agent.sync.engine.GroupMetrics.Reason;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import static io.topaz.agent.sync.db.TestOrders.row;
import static io.topaz.agent.sync.db.TestOrders.sellerOf;
import static org.assertj.core.api.Assertions.assertThat;

/** One group's sync, ticked by hand with a controllable clock: merging, bad input, fencing, repairs. */
class GroupSyncTest {

    @TempDir
    Path dir;
    private GroupSyncFixture f;
    private long t;

    @BeforeEach
    void setUp() throws Exception {
        f = new GroupSyncFixture(dir);
        t = f.clock.millis() - 5_000;
    }

    @AfterEach
    void tearDown() throws Exception {
        f.close();
    }

    private void message(long tid, long modified) {
        f.broker.trade(f.queue, tid, sellerOf(tid), modified).join();
    }

    @Test
    void changesToOneOrderWithinTheWindowCostOneReadAndOneWrite() throws Exception {
        f.h2Target().start(GroupSyncFixture.config(0));
        f.source.save(List.of(row(1, t + 10, "WAIT_BUYER_PAY"), row(2, t, "WAIT_BUYER_PAY")));
        for (int i = 0; i < 10; i++) {
            message(1, t + i);
        }
        for (int i = 0; i < 5; i++) {
            message(2, t);
        }
        f.tick();
        GroupMetrics.Snapshot s = f.metrics.snapshot();
        assertThat(s.messages()).isEqualTo(15);
        assertThat(s.sourceReads()).isZero(); // the window is still open
        assertThat(f.broker.backlog(f.queue)).isEqualTo(15); // nothing confirmed before the write

        f.clock.advance(Duration.ofMillis(100));
        f.tick();
        s = f.metrics.snapshot();
        assertThat(s.sourceReads()).isEqualTo(2);
        assertThat(s.writes()).isEqualTo(2);
        assertThat(s.mergeRatio()).isEqualTo(7.5);
        assertThat(f.broker.backlog(f.queue)).isZero();
        assertThat(f.targetKeys(List.of(1L, 2L))).containsExactlyInAnyOrderElementsOf(
                f.source.keysOf(List.of(1L, 2L)));

        message(2, t); // on a whole second (maybe truncated): read again; the target has that version, no write
        f.round();
        assertThat(f.metrics.snapshot().sourceReads()).isEqualTo(3);
        assertThat(f.metrics.snapshot().skipped()).isEqualTo(1);
        assertThat(f.metrics.snapshot().lagP99Millis()).isGreaterThanOrEqualTo(5_000);
    }

    @Test
    void aMessageNoNewerThanWhatTheGroupWroteCostsNoSourceRead() throws Exception {
        f.h2Target().start(GroupSyncFixture.config(0));
        f.source.save(List.of(row(1, t + 10, "WAIT_BUYER_PAY")));
        message(1, t + 10);
        f.round();
        assertThat(f.metrics.snapshot().sourceReads()).isEqualTo(1);

        message(1, t + 10); // a duplicate
        f.round();
        message(1, t + 5); // an older message, arriving after the newer one
        f.round();
        GroupMetrics.Snapshot s = f.metrics.snapshot();
        assertThat(s.sourceReads()).isEqualTo(1);
        assertThat(s.readsSaved()).isEqualTo(2);
        assertThat(s.writes()).isEqualTo(1);
        assertThat(f.broker.backlog(f.queue)).as("saved reads still confirm their messages").isZero();

        f.source.save(List.of(row(1, t + 20, "WAIT_SELLER_SEND_GOODS")));
        message(1, t + 20); // newer: read and written
        f.round();
        assertThat(f.metrics.snapshot().sourceReads()).isEqualTo(2);
        assertThat(f.targetKeys(List.of(1L))).containsExactlyElementsOf(f.source.keysOf(List.of(1L)));

        f.broker.raw(f.queue, "{\"tid\":1}", 0).join(); // no modified: always read
        f.round();
        message(1, t); // a whole second may be truncated (t + 999 is newer than t + 20): read
        f.round();
        assertThat(f.metrics.snapshot().sourceReads()).isEqualTo(4);

        f.clock.advance(Duration.ofMinutes(3)); // the group forgets what it wrote: read again
        message(1, t + 20);
        f.round();
        s = f.metrics.snapshot();
        assertThat(s.sourceReads()).isEqualTo(5);
        assertThat(s.readsSaved()).isEqualTo(2);
        assertThat(s.mergeRatio()).as("saved orders count as flushed").isEqualTo(7.0 / 7);
        assertThat(f.broker.backlog(f.queue)).isZero();
    }

    @Test
    void aBacklogIsConsumedInCallsTheBrokerAcceptsFromAnotherAgent() throws Exception {
        f.h2Target().start(GroupSyncFixture.config(0));
        for (long tid = 1; tid <= 450; tid++) {
            message(tid, t);
        }
        f.tick(); // up to 1,000 messages a round, at most 200 a consume
        assertThat(f.metrics.snapshot().messages()).isEqualTo(450);
        assertThat(f.metrics.snapshot().errors()).isZero();
    }

    @Test
    void anUnknownOrderAndMalformedContentAreConfirmedAndCounted() throws Exception {
        f.h2Target().start(GroupSyncFixture.config(0));
        message(999, t);
        f.broker.raw(f.queue, "{\"seller_nick\":\"shop\"}", 0).join();
        f.round();
        GroupMetrics.Snapshot s = f.metrics.snapshot();
        assertThat(s.errors()).isEqualTo(2);
        assertThat(s.lastError()).contains("order 999 is not in the source");
        assertThat(f.broker.backlog(f.queue)).isZero();
        assertThat(f.targetKeys(List.of(999L))).isEmpty();
    }

    @Test
    void aTargetThatRefusesConnectionsIsRetriedWithBackoffAndLosesNothing() throws Exception {
        JdbcDataSource down = new JdbcDataSource();
        down.setURL("jdbc:h2:tcp://127.0.0.1:1/mem:nothing");
        f.target = new JdbcTargetOrders(down, Dialect.H2, f.clock);
        f.start(GroupSyncFixture.config(0));
        f.source.save(List.of(row(1, t, "WAIT_BUYER_PAY")));
        message(1, t);
        f.tick();
        GroupMetrics.Snapshot s = f.metrics.snapshot();
        assertThat(s.errors()).isEqualTo(1);
        assertThat(s.lastError()).contains("checking the target's tables").contains("connection failed");
        f.clock.advance(Duration.ofMillis(50));
        f.tick(); // within the backoff (100 ms): nothing tried
        assertThat(f.metrics.snapshot().errors()).isEqualTo(1);
        f.clock.advance(Duration.ofMillis(50));
        f.tick();
        assertThat(f.metrics.snapshot().errors()).isEqualTo(2);
        f.clock.advance(Duration.ofMillis(100));
        f.tick(); // the backoff doubled to 200 ms
        assertThat(f.metrics.snapshot().errors()).isEqualTo(2);
        assertThat(f.broker.backlog(f.queue)).isEqualTo(1); // not consumed, not lost
    }

    @Test
    void aWrongSchemaIsReportedUntilFixedThenTheGroupCatchesUp() throws Exception {
        f.h2Target();
        try (Connection c = f.targetDb.pool().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE jdp_tb_trade (tid BIGINT PRIMARY KEY, foo INT)");
        }
        f.start(GroupSyncFixture.config(0));
        f.source.save(List.of(row(1, t, "WAIT_BUYER_PAY")));
        message(1, t);
        f.tick();
        assertThat(f.metrics.snapshot().lastError()).contains("checking the target's tables");
        assertThat(f.broker.backlog(f.queue)).isEqualTo(1);

        try (Connection c = f.targetDb.pool().getConnection(); Statement st = c.createStatement()) {
            st.execute("DROP TABLE jdp_tb_trade");
        }
        f.clock.advance(Duration.ofSeconds(1));
        f.round();
        assertThat(f.broker.backlog(f.queue)).isZero();
        assertThat(f.targetKeys(List.of(1L))).hasSize(1);
    }

    @Test
    void aPoisonOrderFailsAloneAndIsDeadLetteredAfterTheBrokersAttempts() throws Exception {
        f.h2Target().start(GroupSyncFixture.config(0));
        f.tick(); // creates the tables
        try (Connection c = f.targetDb.pool().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE TRIGGER poison BEFORE INSERT ON jdp_tb_trade FOR EACH ROW CALL \""
                    + Poison.class.getName() + "\"");
        }
        f.source.save(List.of(row(1, t, "A"), row(2, t, "A"), row(666, t, "A")));
        message(1, t);
        message(666, t);
        message(2, t);
        f.round();
        assertThat(f.targetKeys(List.of(1L, 2L, 666L))).extracting(OrderKey::tid).containsExactlyInAnyOrder(1L, 2L);
        assertThat(f.metrics.snapshot().lastError()).contains("the target refused order 666");
        for (int attempt = 2; attempt <= 4; attempt++) {
            f.clock.advance(Duration.ofMillis(200)); // the broker's backoff
            f.round();
        }
        assertThat(f.metrics.snapshot().errors()).isEqualTo(3); // one per delivery; never a paused group
        assertThat(f.broker.backlog(f.queue)).isZero();
        DeadLetterQuery.Page dead = f.broker.queues.deadLetters(new DeadLetterQuery("__sync.demo", null, 0,
                Long.MAX_VALUE, 0, 10));
        assertThat(dead.items()).extracting(d -> d.message().dataId()).containsExactly(666L);
    }

    /** An H2 trigger refusing order 666. */
    public static final class Poison implements org.h2.api.Trigger {
        @Override
        public void fire(Connection c, Object[] oldRow, Object[] newRow) throws SQLException {
            if (newRow != null && ((Number) newRow[0]).longValue() == 666) {
                throw new SQLException("order 666 is poison", "23000");
            }
        }
    }

    @Test
    void aNewerHolderFencesThisOneOutAndItsMessagesStayForTheNext() throws Exception {
        f.h2Target().start(GroupSyncFixture.config(0));
        f.source.save(List.of(row(1, t, "A")));
        f.tick();
        Fence self = f.sync.fence();
        f.target.write(List.of(row(1, t - 1, "OLD")), new Fence("demo", "g1", self.epoch() + 1, "agent-2"));
        message(1, t);
        f.round();
        assertThat(f.sync.stopped()).isTrue();
        assertThat(f.metrics.snapshot().lastError()).contains("stale");
        assertThat(f.broker.backlog(f.queue)).isEqualTo(1); // failed back, delivered to the next holder
    }

    @Test
    void reconciliationRepairsEachDifferenceWithItsReason() throws Exception {
        f.h2Target().start(GroupSyncFixture.config(0));
        OrderRow missed = row(1, t, "A");
        OrderRow lost = row(2, t, "A");
        OrderRow late = row(3, t, "A");
        f.source.save(List.of(missed, lost, late));
        message(2, t);
        f.round();
        try (Connection c = f.targetDb.pool().getConnection(); Statement st = c.createStatement()) {
            st.execute("DELETE FROM jdp_tb_trade WHERE tid = 2"); // a write the target lost
        }
        f.clock.advance(Duration.ofSeconds(30)); // the cycle is due
        message(3, t); // arrives with the cycle: still in its merge window
        f.tick();
        f.finishCycle(); // (a cycle is compared in slices, one a tick)
        GroupMetrics.Snapshot s = f.metrics.snapshot();
        assertThat(s.repairs(Reason.MISSED_MESSAGE)).isEqualTo(1);
        assertThat(s.repairs(Reason.LOST_WRITE)).isEqualTo(1);
        assertThat(s.repairs(Reason.LATE_MESSAGE)).isEqualTo(1);
        assertThat(s.lastReconcileMillis()).isEqualTo(f.clock.millis());
        assertThat(f.targetKeys(List.of(1L, 2L, 3L))).containsExactlyInAnyOrderElementsOf(
                f.source.keysOf(List.of(1L, 2L, 3L)));
        assertThat(f.lease.state().reconciledTo()).isPositive();
    }

    @Test
    void backfillCopiesTheGroupInPagesAndKeepsItsProgress() throws Exception {
        f.h2Target().start(GroupSyncFixture.config(1));
        List<OrderRow> rows = new java.util.ArrayList<>();
        for (long tid = 1; tid <= 1_200; tid++) {
            rows.add(row(tid, t - tid, "A"));
        }
        rows.add(row(5_000, t - Duration.ofDays(2).toMillis(), "A")); // older than backfillDays
        f.source.save(rows);
        f.tick();
        assertThat(f.metrics.snapshot().backfillState()).isEqualTo("running");
        assertThat(f.lease.state().copied()).isEqualTo(500);
        f.tick();
        f.tick();
        assertThat(f.metrics.snapshot().backfillState()).isEqualTo("done");
        assertThat(f.lease.state()).extracting(GroupState::backfill, GroupState::copied).containsExactly("done", 1_200L);
        assertThat(f.target.keysOf(List.of(1L, 1_200L, 5_000L))).extracting(OrderKey::tid)
                .containsExactlyInAnyOrder(1L, 1_200L);
    }

    /** Sellers of {@code TestOrders} permitted, less {@code left}. */
    private List<SellerPermits.Seller> permittedBut(long... left) {
        TestPermits p = new TestPermits("12345678", f.clock, TestPermits.TEST_ORDER_SELLERS);
        for (long s : left) {
            p.cancel(s);
        }
        return p.list();
    }

    private List<OrderKey> target(long... tids) throws Exception {
        return f.targetKeys(java.util.Arrays.stream(tids).boxed().toList());
    }

    @Test
    void aSellerWithoutAPermitIsCopiedByNeitherBackfillNorStreamNorReconciliation() throws Exception {
        long unpermitted = sellerOf(1); // tids 1, 98, 195, 292 …
        f.h2Target().start(GroupSyncFixture.config(1), permittedBut(unpermitted));
        List<OrderRow> rows = new java.util.ArrayList<>();
        for (long tid = 1; tid <= 300; tid++) {
            rows.add(row(tid, t - tid, "A"));
        }
        f.source.save(rows);
        f.tick(); // the backfill: one page, done
        assertThat(f.metrics.snapshot().backfillState()).isEqualTo("done");
        assertThat(target(2, 3, 99)).hasSize(3);
        assertThat(target(1, 98, 195, 292)).isEmpty();

        message(1, t - 1); // routed by a stale permit: read, not written, confirmed
        f.round();
        assertThat(f.broker.backlog(f.queue)).isZero();
        assertThat(target(1)).isEmpty();

        f.clock.advance(Duration.ofSeconds(30)); // an incremental cycle over the last minute
        f.tick();
        f.finishCycle();
        assertThat(f.metrics.snapshot().lastReconcileMillis()).isEqualTo(f.clock.millis());
        Reconciler.Result full = f.sync.reconcileFully(f.sync.scope(), 0, Long.MAX_VALUE);
        assertThat(full.differences()).isZero();
        assertThat(target(1, 98, 195, 292)).isEmpty();
        assertThat(f.sync.scope().sellers()).hasSize(96).doesNotContainKey(unpermitted);
    }

    @Test
    void aNewlyPermittedSellerIsBackfilledThenKeptCurrentAndACancelledOneIsLeftAsItWas() throws Exception {
        long joining = sellerOf(1);
        long leaving = sellerOf(2);
        f.h2Target().start(GroupSyncFixture.config(1), permittedBut(joining));
        List<OrderRow> rows = new java.util.ArrayList<>();
        for (long tid = 1; tid <= 300; tid++) {
            rows.add(row(tid, t - tid, "A"));
        }
        f.source.save(rows);
        f.tick();
        assertThat(target(1, 98, 195, 292)).isEmpty();

        f.sync.sellers(permittedBut()); // the seller permits the app
        f.tick(); // takes the new list, then the seller's backfill (one page)
        assertThat(f.sync.sellersBackfilling()).isZero();
        assertThat(target(1, 98, 195, 292)).containsExactlyElementsOf(f.source.keysOf(List.of(1L, 98L, 195L, 292L)));
        assertThat(f.lease.state().permitsSeenMillis()).isGreaterThan(0);

        f.source.save(List.of(row(98, t + 1, "B"))); // then the live stream carries it
        message(98, t + 1);
        f.round();
        assertThat(target(98)).containsExactlyElementsOf(f.source.keysOf(List.of(98L)));

        f.sync.sellers(permittedBut(leaving)); // a permit cancelled: no longer synced, its rows stay
        f.tick();
        List<OrderKey> before = target(2, 99);
        assertThat(before).hasSize(2);
        f.source.save(List.of(row(2, t + 2, "C"), row(99, t + 2, "C")));
        message(2, t + 2);
        f.round();
        f.clock.advance(Duration.ofSeconds(30));
        f.tick();
        assertThat(f.sync.reconcileFully(f.sync.scope(), 0, Long.MAX_VALUE).differences()).isZero();
        assertThat(target(2, 99)).containsExactlyElementsOf(before);
    }
}

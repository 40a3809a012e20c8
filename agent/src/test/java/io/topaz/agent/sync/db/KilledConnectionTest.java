package io.topaz.agent.sync.db;

import io.topaz.agent.sync.Fence;
import io.topaz.agent.sync.OrderKey;
import io.topaz.agent.sync.OrderRow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.topaz.agent.sync.db.TestOrders.T0;
import static io.topaz.agent.sync.db.TestOrders.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The target connection killed in the middle of a batch: the batch's rows before the kill were already sent, yet
 * nothing of it remains — a write is one transaction. The writer is held at the batch's last row by a lock another
 * connection keeps on it, so the kill lands mid-batch every time.
 */
class KilledConnectionTest {

    private SyncTestDatabases.Db db;

    @AfterEach
    void drop() {
        if (db != null) {
            db.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Dialect.class, names = {"POSTGRESQL", "MARIADB"})
    void aConnectionKilledMidBatchLeavesNothingHalfWritten(Dialect dialect) throws Exception {
        db = SyncTestDatabases.create(dialect);
        JdbcTargetOrders target = new JdbcTargetOrders(db.pool(), dialect, Clock.systemUTC());
        target.ensureSchema();
        Fence fence = new Fence("demo", "g1", 1, "test");
        OrderRow last = row(500, T0, "WAIT_BUYER_PAY");
        target.write(List.of(last), fence);

        List<OrderRow> batch = new ArrayList<>(TestOrders.rows(1, 500));
        batch.add(row(500, T0 + 1_000, "TRADE_FINISHED"));
        try (Connection locker = db.pool().getConnection()) {
            locker.setAutoCommit(false);
            try (Statement s = locker.createStatement()) {
                s.executeQuery("SELECT tid FROM jdp_tb_trade WHERE tid = 500 FOR UPDATE").close();
            }
            CompletableFuture<Object> writer = CompletableFuture.supplyAsync(() -> {
                try {
                    return target.write(batch, fence);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            AtomicLong victim = new AtomicLong();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                victim.set(blockedWriter(dialect));
                return victim.get() != 0;
            });
            try (Connection killer = db.pool().getConnection(); Statement s = killer.createStatement()) {
                s.execute(dialect == Dialect.POSTGRESQL ? "SELECT pg_terminate_backend(" + victim.get() + ")"
                        : "KILL CONNECTION " + victim.get());
            }
            assertThatThrownBy(() -> writer.get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .satisfies(e -> assertThat(e.getCause().getCause()).isInstanceOf(SQLException.class));
            locker.rollback();
        }
        List<Long> all = new ArrayList<>();
        batch.forEach(r -> all.add(r.tid()));
        assertThat(target.keysOf(all)).containsExactly(last.key());
        // and the pool recovers: the same batch goes through
        assertThat(target.write(batch, fence).written()).isEqualTo(500);
        assertThat(target.keysOf(List.of(500L))).extracting(OrderKey::modifiedMillis).containsExactly(T0 + 1_000);
    }

    /** The writer's backend id once it waits on the locked row, else 0. */
    private long blockedWriter(Dialect dialect) throws SQLException {
        String sql = dialect == Dialect.POSTGRESQL
                ? "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' "
                + "AND query LIKE 'INSERT INTO jdp_tb_trade%'"
                : "SELECT id FROM information_schema.processlist WHERE db = database() "
                + "AND info LIKE 'INSERT INTO jdp_tb_trade%'";
        try (Connection c = db.pool().getConnection(); PreparedStatement ps = c.prepareStatement(sql);
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }
}

package io.topaz.agent.sync.db;

import io.topaz.agent.sync.BucketRange;
import io.topaz.agent.sync.Fence;
import io.topaz.agent.sync.FencedException;
import io.topaz.agent.sync.JdpResponse;
import io.topaz.agent.sync.OrderKey;
import io.topaz.agent.sync.OrderRow;
import io.topaz.agent.sync.SellerScope;
import io.topaz.agent.sync.TargetOrders.WriteResult;
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
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static io.topaz.agent.sync.db.TestOrders.T0;
import static io.topaz.agent.sync.db.TestOrders.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The target's conditional write, fencing, schema check and purge, on each database. */
class JdbcTargetOrdersTest {

    private static final SellerScope ALL = SellerScope.all(new BucketRange(0, 1024));

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T10:00:00.123Z"));
    private SyncTestDatabases.Db db;
    private JdbcTargetOrders target;

    private JdbcTargetOrders open(Dialect dialect) throws SQLException {
        db = SyncTestDatabases.create(dialect);
        target = new JdbcTargetOrders(db.pool(), dialect, new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        });
        target.ensureSchema();
        LoweringTrigger.install(db.pool());
        return target;
    }

    @AfterEach
    void drop() {
        if (db != null) {
            db.close();
        }
    }

    private static Fence fence(long epoch) {
        return new Fence("demo", "g1", epoch, "agent-" + epoch);
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void writesNewerSkipsOlderAndEqualHashAndNeverLowersModified(Dialect dialect) throws Exception {
        open(dialect);
        OrderRow v1 = row(1, T0 + 1_000, "WAIT_BUYER_PAY");
        OrderRow v2 = row(1, T0 + 2_000, "WAIT_SELLER_SEND_GOODS");
        assertThat(target.write(List.of(v1), fence(1))).isEqualTo(new WriteResult(1, 0));
        Instant firstWrite = now.get();
        now.set(firstWrite.plus(Duration.ofSeconds(5)));

        assertThat(target.write(List.of(v2), fence(1))).isEqualTo(new WriteResult(1, 0));
        assertThat(stored(1)).containsEntry("status", "WAIT_SELLER_SEND_GOODS")
                .containsEntry("jdp_response", JdpResponse.of(v2.document()))
                .containsEntry("jdp_hashcode", JdpResponse.hashcode(v2.document()))
                .containsEntry("modified", utc(T0 + 2_000))
                .containsEntry("jdp_created", utc(firstWrite.toEpochMilli()))
                .containsEntry("jdp_modified", utc(now.get().toEpochMilli()));

        now.set(now.get().plus(Duration.ofSeconds(5)));
        assertThat(target.write(List.of(v1), fence(1))).isEqualTo(new WriteResult(0, 1));
        assertThat(target.write(List.of(v2), fence(1))).isEqualTo(new WriteResult(0, 1));
        assertThat(stored(1)).containsEntry("status", "WAIT_SELLER_SEND_GOODS")
                .containsEntry("modified", utc(T0 + 2_000))
                .containsEntry("jdp_modified", utc(firstWrite.plus(Duration.ofSeconds(5)).toEpochMilli()));
        assertThat(target.keysOf(List.of(1L))).containsExactly(v2.key());
        assertThat(LoweringTrigger.lowered(db.pool())).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void versionsOfOneOrderGivenTogetherLeaveTheNewest(Dialect dialect) throws Exception {
        open(dialect);
        OrderRow v1 = row(1, T0 + 1_000, "WAIT_BUYER_PAY");
        OrderRow v2 = row(1, T0 + 2_000, "WAIT_SELLER_SEND_GOODS");
        assertThat(target.write(List.of(v2, row(2, T0, "A"), v1), fence(1))).isEqualTo(new WriteResult(2, 1));
        assertThat(target.keysOf(List.of(1L, 2L))).extracting(OrderKey::modifiedMillis).containsExactly(T0 + 2_000, T0);
        assertThat(LoweringTrigger.lowered(db.pool())).isEmpty();
    }

    /**
     * Equal {@code modified}, different document: the source is the truth, so it is written — every column, which on
     * MariaDB only holds because the guarded {@code jdp_hashcode} and {@code modified} are assigned last.
     */
    @ParameterizedTest
    @EnumSource(Dialect.class)
    void equalModifiedWithAnotherHashIsWrittenInFull(Dialect dialect) throws Exception {
        open(dialect);
        OrderRow a = row(7, T0 + 1_000, "WAIT_BUYER_PAY");
        OrderRow b = new OrderRow(7, a.sellerId(), a.sellerNick(), "another buyer", "TRADE_CLOSED", "fixed",
                a.created(), a.modified(), false, a.bucket(), a.document().replace("茶叶", "咖啡"));
        target.write(List.of(a), fence(1));
        assertThat(target.write(List.of(b, row(8, T0, "NEW")), fence(1))).isEqualTo(new WriteResult(2, 0));
        assertThat(stored(7)).containsEntry("status", "TRADE_CLOSED").containsEntry("buyer_nick", "another buyer")
                .containsEntry("jdp_response", JdpResponse.of(b.document()))
                .containsEntry("jdp_hashcode", JdpResponse.hashcode(b.document()));
        assertThat(LoweringTrigger.lowered(db.pool())).isEmpty();
    }

    /**
     * The trap the MariaDB statement avoids, shown on the database itself: with {@code modified} assigned first, the
     * later guards see the new {@code modified} and leave the other columns as they were.
     */
    @ParameterizedTest
    @EnumSource(value = Dialect.class, names = "MARIADB")
    void mariaDbAssignsLeftToRightSoGuardedColumnsComeLast(Dialect dialect) throws Exception {
        open(dialect);
        target.write(List.of(row(1, T0 + 1_000, "WAIT_BUYER_PAY")), fence(1));
        String guard = "(modified < VALUES(modified) OR (modified = VALUES(modified) AND jdp_hashcode <> VALUES(jdp_hashcode)))";
        String wrongOrder = "INSERT INTO jdp_tb_trade (tid, status, modified, jdp_hashcode, seller_nick, created, "
                + "jdp_response, jdp_created, jdp_modified, jdp_bucket) VALUES (1, 'TRADE_FINISHED', ?, 'x', 's', ?, '', ?, ?, 0) "
                + "ON DUPLICATE KEY UPDATE modified = IF(" + guard + ", VALUES(modified), modified), "
                + "jdp_hashcode = IF(" + guard + ", VALUES(jdp_hashcode), jdp_hashcode), "
                + "status = IF(" + guard + ", VALUES(status), status)";
        try (Connection c = db.pool().getConnection(); PreparedStatement ps = c.prepareStatement(wrongOrder)) {
            for (int i = 1; i <= 4; i++) {
                ps.setObject(i, utc(T0 + 2_000));
            }
            ps.executeUpdate();
        }
        assertThat(stored(1)).as("the naive order updates modified but not status")
                .containsEntry("modified", utc(T0 + 2_000)).containsEntry("status", "WAIT_BUYER_PAY");

        // the real statement, same situation: a newer version replaces every column
        OrderRow v3 = row(1, T0 + 3_000, "TRADE_FINISHED");
        assertThat(target.write(List.of(v3), fence(1))).isEqualTo(new WriteResult(1, 0));
        assertThat(stored(1)).containsEntry("status", "TRADE_FINISHED")
                .containsEntry("jdp_hashcode", JdpResponse.hashcode(v3.document()))
                .containsEntry("jdp_response", JdpResponse.of(v3.document()));
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void aStaleEpochIsRefusedAndWritesNothing(Dialect dialect) throws Exception {
        open(dialect);
        target.write(List.of(row(1, T0, "A")), fence(1));
        target.write(List.of(row(1, T0, "A")), fence(1)); // the same holder again, same instant: still its fence
        target.write(List.of(row(2, T0, "A")), fence(2));
        assertThatThrownBy(() -> target.write(List.of(row(3, T0, "A"), row(1, T0 + 5, "B")), fence(1)))
                .isInstanceOf(FencedException.class)
                .satisfies(e -> assertThat(((FencedException) e).currentEpoch()).isEqualTo(2));
        assertThatThrownBy(() -> target.purgeDeleted(ALL, 10, fence(1))).isInstanceOf(FencedException.class);
        assertThat(target.keysOf(List.of(1L, 2L, 3L))).extracting(OrderKey::tid).containsExactly(1L, 2L);
        assertThat(target.keysOf(List.of(1L)).get(0).modifiedMillis()).isEqualTo(T0);
        target.write(List.of(row(3, T0, "A")), fence(3));
        try (Connection c = db.pool().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT epoch, holder FROM jdp_sync_fence WHERE sync_group = 'g1'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isEqualTo(3);
            assertThat(rs.getString(2)).isEqualTo("agent-3");
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void aTableOfAnotherShapeIsRefusedWithTheMissingColumns(Dialect dialect) throws Exception {
        db = SyncTestDatabases.create(dialect);
        try (Connection c = db.pool().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE jdp_tb_trade (tid BIGINT PRIMARY KEY, status VARCHAR(64), modified "
                    + (dialect == Dialect.MARIADB ? "DATETIME" : "TIMESTAMP") + ")");
        }
        JdbcTargetOrders wrong = new JdbcTargetOrders(db.pool(), dialect, Clock.systemUTC());
        assertThatThrownBy(wrong::ensureSchema).isInstanceOf(SQLException.class)
                .hasMessageContaining("jdp_tb_trade")
                .hasMessageContaining("lacks the columns")
                .hasMessageContaining("jdp_hashcode")
                .hasMessageContaining("jdp_bucket");
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void deletedOrdersAreMarkedThenPurgedInBatches(Dialect dialect) throws Exception {
        open(dialect);
        target.ensureSchema(); // twice: creating is idempotent
        target.write(TestOrders.rows(1, 11), fence(1));
        List<OrderRow> deletions = List.of(row(2, T0 + 10, "X", true), row(4, T0 + 10, "X", true),
                row(6, T0 + 10, "X", true));
        assertThat(target.write(deletions, fence(1))).isEqualTo(new WriteResult(3, 0));
        assertThat(target.keysOf(List.of(2L, 3L))).extracting(OrderKey::deleted).containsExactly(true, false);
        assertThat(target.purgeDeleted(ALL, 2, fence(1))).isEqualTo(2);
        assertThat(target.purgeDeleted(ALL, 2, fence(1))).isEqualTo(1);
        assertThat(target.purgeDeleted(ALL, 2, fence(1))).isZero();
        assertThat(target.keysOf(TestOrders.rows(1, 11).stream().map(OrderRow::tid).toList()))
                .extracting(OrderKey::tid).containsExactly(1L, 3L, 5L, 7L, 8L, 9L, 10L);
    }

    /** The target has no seller id: a scope selects by seller_nick, for reads and purges alike. */
    @ParameterizedTest
    @EnumSource(Dialect.class)
    void scopesSelectTheirSellersByNick(Dialect dialect) throws Exception {
        open(dialect);
        List<OrderRow> rows = TestOrders.rows(1, 301);
        target.write(rows, fence(1));
        OrderRow a = rows.get(0);
        OrderRow b = rows.get(1);
        Map<Long, String> two = Map.of(a.sellerId(), a.sellerNick(), b.sellerId(), b.sellerNick());
        List<OrderKey> ofTwo = rows.stream().filter(r -> two.containsKey(r.sellerId())).map(OrderRow::key).toList();

        assertThat(target.keysModified(SellerScope.of(ALL.buckets(), two), T0, T0 + 1_000))
                .containsExactlyElementsOf(ofTwo);
        assertThat(target.keys(SellerScope.of(null, two), T0, T0 + 1_000, 0, 1_000)).containsExactlyElementsOf(ofTwo);
        assertThat(target.keysModified(new SellerScope(ALL.buckets(), null, Map.of(a.sellerId(), a.sellerNick())),
                T0, T0 + 1_000)).hasSize(rows.size() - (int) rows.stream()
                .filter(r -> r.sellerId() == a.sellerId()).count());
        assertThat(target.keysModified(SellerScope.of(ALL.buckets(), Map.of()), T0, T0 + 1_000)).isEmpty();

        // deletions of a (tid 1) and of another seller (tid 3): a's scope purges a's only
        target.write(List.of(row(1, T0 + 500, "X", true), row(3, T0 + 500, "X", true)), fence(1));
        assertThat(target.purgeDeleted(SellerScope.of(null, Map.of(a.sellerId(), a.sellerNick())), 10, fence(1)))
                .isEqualTo(1);
        assertThat(target.keysOf(List.of(1L, 3L))).extracting(OrderKey::tid).containsExactly(3L);
        assertThat(target.purgeDeleted(SellerScope.of(ALL.buckets(), Map.of()), 10, fence(1))).isZero();
        assertThat(target.purgeDeleted(ALL, 10, fence(1))).isEqualTo(1);
    }

    private Map<String, Object> stored(long tid) throws SQLException {
        try (Connection c = db.pool().getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT status, buyer_nick, modified, jdp_hashcode, jdp_response, jdp_created, jdp_modified "
                        + "FROM jdp_tb_trade WHERE tid = ?")) {
            ps.setLong(1, tid);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("row " + tid).isTrue();
                return Map.of("status", rs.getString(1), "buyer_nick", rs.getString(2),
                        "modified", rs.getObject(3, LocalDateTime.class), "jdp_hashcode", rs.getString(4),
                        "jdp_response", rs.getString(5), "jdp_created", rs.getObject(6, LocalDateTime.class),
                        "jdp_modified", rs.getObject(7, LocalDateTime.class));
            }
        }
    }

    private static LocalDateTime utc(long millis) {
        return LocalDateTime.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
    }
}

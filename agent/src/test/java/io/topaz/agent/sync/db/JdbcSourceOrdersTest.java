package io.topaz.agent.sync.db;

import io.topaz.agent.sync.BucketRange;
import io.topaz.agent.sync.OrderKey;
import io.topaz.agent.sync.OrderRow;
import io.topaz.agent.sync.SellerScope;
import io.topaz.model.config.SellerGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.topaz.agent.sync.db.TestOrders.T0;
import static io.topaz.agent.sync.db.TestOrders.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The platform's order table: schema, reads, and jdp_hashcode computed by the database equal to Java's. */
class JdbcSourceOrdersTest {

    private static final SellerScope ALL = SellerScope.all(new BucketRange(0, SellerGroup.BUCKETS));

    private SyncTestDatabases.Db db;
    private JdbcSourceOrders source;

    private void open(Dialect dialect) throws SQLException {
        db = SyncTestDatabases.create(dialect);
        source = new JdbcSourceOrders(db.pool(), dialect);
        source.ensureSchema();
        source.ensureSchema();
    }

    @AfterEach
    void drop() {
        if (db != null) {
            db.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void theDatabasesJdpHashcodeIsJavasIncludingNonAsciiText(Dialect dialect) throws Exception {
        open(dialect);
        OrderRow emoji = new OrderRow(3, 5, "店", null, null, null, Instant.ofEpochMilli(T0), Instant.ofEpochMilli(T0),
                false, 1, "{\"memo\":\"😀 naïve — \\\"quoted\\\" 'single' \\\\ back\",\"empty\":\"\"}");
        List<OrderRow> rows = List.of(row(1, T0 + 1, "WAIT_BUYER_PAY"), row(2, T0 + 2, "TRADE_CLOSED", true), emoji);
        source.save(rows);
        assertThat(source.keysOf(List.of(1L, 2L, 3L)))
                .containsExactlyElementsOf(rows.stream().map(OrderRow::key).toList());
        assertThat(source.read(List.of(3L, 1L, 2L, 99L))).containsExactlyElementsOf(rows);
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void keysAndPagesSelectByBucketModifiedAndTid(Dialect dialect) throws Exception {
        open(dialect);
        List<OrderRow> rows = TestOrders.rows(1, 301);
        source.save(rows);
        OrderRow r10 = rows.get(9);
        SellerScope one = SellerScope.all(new BucketRange(r10.bucket(), r10.bucket() + 1));
        List<OrderRow> ofBucket = rows.stream().filter(r -> r.bucket() == r10.bucket()).toList();

        assertThat(source.keysModified(one, T0, T0 + 1_000))
                .containsExactlyElementsOf(ofBucket.stream().map(OrderRow::key).toList());
        assertThat(source.keysModified(ALL, T0 + 10, T0 + 20)).extracting(OrderKey::tid)
                .containsExactly(10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L);
        assertThat(source.keys(ALL, T0, T0 + 1_000, 100, 103)).extracting(OrderKey::tid)
                .containsExactly(100L, 101L, 102L);

        assertThat(source.page(ALL, T0 + 50, 60, 5)).extracting(OrderRow::tid)
                .containsExactly(61L, 62L, 63L, 64L, 65L);
        assertThat(source.page(ALL.only(r10.sellerId(), r10.sellerNick()), T0, 0, 1_000)).containsExactlyElementsOf(
                rows.stream().filter(r -> r.sellerId() == r10.sellerId()).toList());
    }

    /** A scope's reads see its sellers only: listed (with or without a bucket range), all but some, or none. */
    @ParameterizedTest
    @EnumSource(Dialect.class)
    void scopesSelectTheirSellersById(Dialect dialect) throws Exception {
        open(dialect);
        List<OrderRow> rows = TestOrders.rows(1, 301);
        source.save(rows);
        OrderRow a = rows.get(0);
        OrderRow b = rows.get(1);
        Map<Long, String> two = Map.of(a.sellerId(), a.sellerNick(), b.sellerId(), b.sellerNick());
        List<OrderKey> ofTwo = rows.stream().filter(r -> two.containsKey(r.sellerId())).map(OrderRow::key).toList();
        List<OrderKey> butA = rows.stream().filter(r -> r.sellerId() != a.sellerId()).map(OrderRow::key).toList();

        assertThat(source.keysModified(SellerScope.of(ALL.buckets(), two), T0, T0 + 1_000))
                .containsExactlyElementsOf(ofTwo);
        SellerScope pin = SellerScope.of(null, two); // a pin group: no bucket range
        assertThat(source.keys(pin, T0, T0 + 1_000, 0, 1_000)).containsExactlyElementsOf(ofTwo);
        assertThat(source.page(pin, T0, 0, 1_000)).extracting(OrderRow::key).containsExactlyElementsOf(ofTwo);
        SellerScope allButA = new SellerScope(ALL.buckets(), null, Map.of(a.sellerId(), a.sellerNick()));
        assertThat(source.keysModified(allButA, T0, T0 + 1_000)).containsExactlyElementsOf(butA);
        assertThat(source.digest(pin, T0, T0 + 1_000).count()).isEqualTo(ofTwo.size());
        assertThat(source.liveTids(pin, T0, T0 + 1_000)).contains(new io.topaz.agent.sync.TidRange(1, 294));

        SellerScope nobody = SellerScope.of(ALL.buckets(), Map.of());
        assertThat(source.keysModified(nobody, T0, T0 + 1_000)).isEmpty();
        assertThat(source.page(nobody, T0, 0, 1_000)).isEmpty();
        assertThat(source.digest(nobody, T0, T0 + 1_000).count()).isZero();
        assertThat(source.liveTids(nobody, T0, T0 + 1_000)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void aTableOfAnotherShapeIsRefused(Dialect dialect) throws Exception {
        db = SyncTestDatabases.create(dialect);
        try (Connection c = db.pool().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE tb_trade (tid BIGINT PRIMARY KEY, document VARCHAR(100))");
        }
        assertThatThrownBy(() -> SourceSchema.ensure(db.pool())).isInstanceOf(SQLException.class)
                .hasMessageContaining("tb_trade").hasMessageContaining("lacks the columns")
                .hasMessageContaining("bucket");
    }
}

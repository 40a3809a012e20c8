package io.topaz.agent.sync.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The target's tables in TOP's JDP layout: {@code jdp_tb_trade(tid, status, type, seller_nick, buyer_nick, created,
 * modified, jdp_hashcode, jdp_response, jdp_created, jdp_modified)} with JDP's indexes, plus {@code jdp_delete} and
 * {@code jdp_bucket} (JDP readers ignore them), and the fencing table {@code jdp_sync_fence}.
 */
public final class TargetSchema {

    /** The columns a write binds, in parameter order. */
    public static final List<String> WRITTEN = List.of("tid", "status", "type", "seller_nick", "buyer_nick", "created",
            "modified", "jdp_hashcode", "jdp_response", "jdp_created", "jdp_modified", "jdp_delete", "jdp_bucket");
    static final List<String> WRITTEN_TYPES = List.of("BIGINT", "VARCHAR(64)", "VARCHAR(64)", "VARCHAR(64)",
            "VARCHAR(64)", "TIMESTAMP(3)", "TIMESTAMP(3)", "VARCHAR(32)", "CHARACTER VARYING", "TIMESTAMP(3)",
            "TIMESTAMP(3)", "BOOLEAN", "INT");
    static final List<String> FENCE_COLUMNS = List.of("sync_group", "epoch", "holder", "updated");

    private TargetSchema() {
    }

    /** Creates the tables and indexes when missing; refuses a {@code jdp_tb_trade} or fence table of another shape. */
    public static void ensure(Connection c, Dialect d) throws SQLException {
        String ts = Ddl.timestamp(d);
        String bool = "BOOLEAN";
        Ddl.ensure(c, "jdp_tb_trade", WRITTEN, List.of(
                "CREATE TABLE IF NOT EXISTS jdp_tb_trade ("
                        + "tid BIGINT NOT NULL PRIMARY KEY, "
                        + "status VARCHAR(64), "
                        + "type VARCHAR(64), "
                        + "seller_nick VARCHAR(64) NOT NULL, "
                        + "buyer_nick VARCHAR(64), "
                        + "created " + ts + " NOT NULL, "
                        + "modified " + ts + " NOT NULL, "
                        + "jdp_hashcode VARCHAR(32) NOT NULL, "
                        + "jdp_response " + Ddl.text(d) + " NOT NULL, "
                        + "jdp_created " + ts + " NOT NULL, "
                        + "jdp_modified " + ts + " NOT NULL, "
                        + "jdp_delete " + bool + " NOT NULL DEFAULT FALSE, "
                        + "jdp_bucket INT NOT NULL)" + Ddl.tableOptions(d),
                "CREATE INDEX IF NOT EXISTS ind_jdp_tb_trade_seller_nick_jdp_modified ON jdp_tb_trade (seller_nick, jdp_modified)",
                "CREATE INDEX IF NOT EXISTS ind_jdp_tb_trade_jdp_modified ON jdp_tb_trade (jdp_modified)",
                "CREATE INDEX IF NOT EXISTS ind_jdp_tb_trade_seller_nick_modified ON jdp_tb_trade (seller_nick, modified)",
                "CREATE INDEX IF NOT EXISTS ind_jdp_tb_trade_modified ON jdp_tb_trade (modified)",
                "CREATE INDEX IF NOT EXISTS ind_jdp_tb_trade_delete ON jdp_tb_trade (jdp_delete, jdp_bucket)"),
                "a JDP order table (jdp_tb_trade with jdp_delete and jdp_bucket)");
        Ddl.ensure(c, "jdp_sync_fence", FENCE_COLUMNS, List.of(
                "CREATE TABLE IF NOT EXISTS jdp_sync_fence ("
                        + "sync_group VARCHAR(128) NOT NULL PRIMARY KEY, "
                        + "epoch BIGINT NOT NULL, "
                        + "holder VARCHAR(256) NOT NULL, "
                        + "updated " + ts + " NOT NULL)" + Ddl.tableOptions(d)),
                "the sync's fencing table");
    }
}

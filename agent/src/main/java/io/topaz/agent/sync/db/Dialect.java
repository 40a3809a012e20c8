package io.topaz.agent.sync.db;

import io.topaz.agent.sync.JdpResponse;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * What differs between the three databases the order sync speaks to: the conditional upsert of the target, an
 * insert that ignores an existing key (the fencing row), a bounded delete, and the SQL expressions the digests are
 * computed with. Everything else is plain SQL shared by all three.
 *
 * <p>Timestamps are {@code timestamp(3)} / {@code datetime(3)} columns without a time zone holding UTC, bound and read
 * as {@link java.time.LocalDateTime}, so no session or JVM time zone takes part.
 */
public enum Dialect {

    POSTGRESQL {
        @Override
        String millis(String column) {
            return "(extract(epoch from " + column + ") * 1000)::bigint";
        }

        @Override
        String rowHash(String tid, String millis, String hashcode) {
            return "('x' || substr(md5(" + tid + "::text || ':' || " + millis + "::text || ':' || " + hashcode
                    + "), 1, 16))::bit(64)::bigint";
        }

        @Override
        String documentHash(String document) {
            return "md5(" + wrapped(document, " || ") + ")";
        }

        @Override
        String insertIgnoreFence() {
            return "INSERT INTO jdp_sync_fence (sync_group, epoch, holder, updated) VALUES (?, ?, ?, ?) "
                    + "ON CONFLICT (sync_group) DO NOTHING";
        }

        @Override
        String purge(String scope) {
            return "DELETE FROM jdp_tb_trade WHERE tid IN (SELECT tid FROM jdp_tb_trade WHERE jdp_delete" + scope
                    + " LIMIT ?)";
        }

        @Override
        String upsertTarget() {
            StringBuilder set = new StringBuilder();
            for (String c : UPDATED) {
                set.append(set.isEmpty() ? "" : ", ").append(c).append(" = EXCLUDED.").append(c);
            }
            return "INSERT INTO jdp_tb_trade (" + String.join(", ", TargetSchema.WRITTEN) + ") VALUES ("
                    + marks(TargetSchema.WRITTEN.size()) + ") ON CONFLICT (tid) DO UPDATE SET " + set
                    + ", jdp_hashcode = EXCLUDED.jdp_hashcode, modified = EXCLUDED.modified"
                    + " WHERE jdp_tb_trade.modified < EXCLUDED.modified OR (jdp_tb_trade.modified = EXCLUDED.modified"
                    + " AND jdp_tb_trade.jdp_hashcode <> EXCLUDED.jdp_hashcode)";
        }

        @Override
        String upsertSource() {
            StringBuilder set = new StringBuilder();
            for (String c : SourceSchema.WRITTEN.subList(1, SourceSchema.WRITTEN.size())) {
                set.append(set.isEmpty() ? "" : ", ").append(c).append(" = EXCLUDED.").append(c);
            }
            return "INSERT INTO tb_trade (" + String.join(", ", SourceSchema.WRITTEN) + ") VALUES ("
                    + marks(SourceSchema.WRITTEN.size()) + ") ON CONFLICT (tid) DO UPDATE SET " + set;
        }
    },

    /** MariaDB (and MySQL through the MariaDB driver). Connections need {@code useAffectedRows=true}. */
    MARIADB {
        @Override
        String millis(String column) {
            return "(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', " + column + ") DIV 1000)";
        }

        @Override
        String rowHash(String tid, String millis, String hashcode) {
            // unsigned where the others are signed: the sums agree modulo 2^64, which is all a digest keeps
            return "CAST(CONV(SUBSTR(MD5(CONCAT(" + tid + ", ':', " + millis + ", ':', " + hashcode
                    + ")), 1, 16), 16, 10) AS UNSIGNED)";
        }

        @Override
        String intDiv(String a, String b) {
            return "(" + a + ") DIV (" + b + ")";
        }

        @Override
        String documentHash(String document) {
            return "MD5(CONCAT(" + wrapped(document, ", ") + "))";
        }

        @Override
        String insertIgnoreFence() {
            return "INSERT IGNORE INTO jdp_sync_fence (sync_group, epoch, holder, updated) VALUES (?, ?, ?, ?)";
        }

        @Override
        String purge(String scope) {
            return "DELETE FROM jdp_tb_trade WHERE jdp_delete" + scope + " LIMIT ?";
        }

        /**
         * MariaDB evaluates the assignments of {@code ON DUPLICATE KEY UPDATE} left to right, each seeing the columns
         * already assigned: the guard reads {@code modified} and {@code jdp_hashcode}, so those two are assigned
         * last ({@code jdp_hashcode} before {@code modified}, whose own guard then still sees the old
         * {@code modified}). Assigned first, they would make every later guard false and leave the row half-updated.
         */
        @Override
        String upsertTarget() {
            String guard = "(modified < VALUES(modified) OR (modified = VALUES(modified)"
                    + " AND jdp_hashcode <> VALUES(jdp_hashcode)))";
            StringBuilder set = new StringBuilder();
            for (String c : UPDATED) {
                set.append(c).append(" = IF(").append(guard).append(", VALUES(").append(c).append("), ")
                        .append(c).append("), ");
            }
            set.append("jdp_hashcode = IF(").append(guard).append(", VALUES(jdp_hashcode), jdp_hashcode), ");
            set.append("modified = IF(").append(guard).append(", VALUES(modified), modified)");
            return "INSERT INTO jdp_tb_trade (" + String.join(", ", TargetSchema.WRITTEN) + ") VALUES ("
                    + marks(TargetSchema.WRITTEN.size()) + ") ON DUPLICATE KEY UPDATE " + set;
        }

        @Override
        String upsertSource() {
            StringBuilder set = new StringBuilder();
            for (String c : SourceSchema.WRITTEN.subList(1, SourceSchema.WRITTEN.size())) {
                set.append(set.isEmpty() ? "" : ", ").append(c).append(" = VALUES(").append(c).append(")");
            }
            return "INSERT INTO tb_trade (" + String.join(", ", SourceSchema.WRITTEN) + ") VALUES ("
                    + marks(SourceSchema.WRITTEN.size()) + ") ON DUPLICATE KEY UPDATE " + set;
        }
    },

    /** H2 2.x: no {@code ON CONFLICT}; the standard {@code MERGE … WHEN MATCHED AND <guard>} instead. */
    H2 {
        @Override
        String millis(String column) {
            return "DATEDIFF(MILLISECOND, TIMESTAMP '1970-01-01 00:00:00', " + column + ")";
        }

        @Override
        String rowHash(String tid, String millis, String hashcode) {
            return "CAST(SUBSTRING(HASH('MD5', CAST(" + tid + " AS VARCHAR) || ':' || CAST(" + millis
                    + " AS VARCHAR) || ':' || " + hashcode + ") FROM 1 FOR 8) AS BIGINT)";
        }

        @Override
        String documentHash(String document) {
            return "LOWER(RAWTOHEX(HASH('MD5', " + wrapped(document, " || ") + ")))";
        }

        @Override
        String insertIgnoreFence() {
            return "INSERT INTO jdp_sync_fence (sync_group, epoch, holder, updated) SELECT CAST(? AS VARCHAR(128)), "
                    + "CAST(? AS BIGINT), CAST(? AS VARCHAR(256)), CAST(? AS TIMESTAMP(3)) WHERE NOT EXISTS "
                    + "(SELECT 1 FROM jdp_sync_fence WHERE sync_group = ?)";
        }

        @Override
        boolean fenceInsertRepeatsGroup() {
            return true;
        }

        @Override
        String purge(String scope) {
            return "DELETE FROM jdp_tb_trade WHERE jdp_delete" + scope + " FETCH FIRST ? ROWS ONLY";
        }

        @Override
        String upsertTarget() {
            return merge("jdp_tb_trade", TargetSchema.WRITTEN, TargetSchema.WRITTEN_TYPES,
                    " AND (t.modified < v.modified OR (t.modified = v.modified AND t.jdp_hashcode <> v.jdp_hashcode))",
                    concat(UPDATED, List.of("jdp_hashcode", "modified")));
        }

        @Override
        String upsertSource() {
            return merge("tb_trade", SourceSchema.WRITTEN, SourceSchema.WRITTEN_TYPES, "",
                    SourceSchema.WRITTEN.subList(1, SourceSchema.WRITTEN.size()));
        }

        private String merge(String table, List<String> columns, List<String> types,
                             String guard, List<String> updated) {
            StringBuilder values = new StringBuilder();
            for (int i = 0; i < columns.size(); i++) {
                values.append(i == 0 ? "" : ", ").append("CAST(? AS ").append(types.get(i)).append(')');
            }
            StringBuilder set = new StringBuilder();
            for (String c : updated) {
                set.append(set.isEmpty() ? "" : ", ").append(c).append(" = v.").append(c);
            }
            StringBuilder inserted = new StringBuilder();
            for (String c : columns) {
                inserted.append(inserted.isEmpty() ? "" : ", ").append("v.").append(c);
            }
            return "MERGE INTO " + table + " t USING (VALUES (" + values + ")) v(" + String.join(", ", columns)
                    + ") ON t.tid = v.tid WHEN MATCHED" + guard + " THEN UPDATE SET " + set
                    + " WHEN NOT MATCHED THEN INSERT (" + String.join(", ", columns) + ") VALUES (" + inserted + ")";
        }
    };

    /** Columns a newer version overwrites, in the order written — {@code jdp_hashcode} and {@code modified} follow. */
    static final List<String> UPDATED = List.of("status", "type", "seller_nick", "buyer_nick",
            "created", "jdp_response", "jdp_modified", "jdp_delete", "jdp_bucket");

    /** The dialect of a JDBC URL ({@code jdbc:mysql:} is spoken through the MariaDB driver). */
    public static Dialect ofUrl(String jdbcUrl) {
        String u = jdbcUrl.toLowerCase(Locale.ROOT);
        if (u.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        if (u.startsWith("jdbc:mariadb:") || u.startsWith("jdbc:mysql:")) {
            return MARIADB;
        }
        if (u.startsWith("jdbc:h2:")) {
            return H2;
        }
        throw new IllegalArgumentException("unsupported database URL (PostgreSQL, MariaDB/MySQL or H2): "
                + jdbcUrl.replaceAll("(?i)password=[^&;]*", "password=(hidden)"));
    }

    /** The dialect of an open connection, from the database's product name. */
    public static Dialect of(Connection c) throws SQLException {
        String product = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
        if (product.contains("postgres")) {
            return POSTGRESQL;
        }
        if (product.contains("mariadb") || product.contains("mysql")) {
            return MARIADB;
        }
        if (product.contains("h2")) {
            return H2;
        }
        throw new SQLException("unsupported database " + product + " (PostgreSQL, MariaDB/MySQL or H2)");
    }

    /** Epoch milliseconds of a {@code timestamp(3)} column holding UTC, as a bigint expression. */
    abstract String millis(String column);

    /** A 64-bit hash of (tid, modified millis, jdp_hashcode): the first 8 bytes of MD5("tid:millis:hashcode"). */
    abstract String rowHash(String tid, String millis, String hashcode);

    /** A bigint parameter marker, typed where the database needs it. */
    String bigintParameter() {
        return this == MARIADB ? "CAST(? AS SIGNED)" : "CAST(? AS BIGINT)";
    }

    /**
     * {@code table}, told not to read through {@code index} where the planner would wrongly choose it (MariaDB: {@code
     * IGNORE INDEX}; the others plan well unaided).
     */
    String avoiding(String table, String index) {
        return this == MARIADB ? table + " IGNORE INDEX (" + index + ")" : table;
    }

    /** What ends a query to return its first row only. */
    String firstRowOnly() {
        return this == H2 ? " FETCH FIRST 1 ROWS ONLY" : " LIMIT 1";
    }

    /** Integer division of two non-negative bigint expressions. */
    String intDiv(String a, String b) {
        return "(" + a + ") / (" + b + ")";
    }

    /** {@code jdp_hashcode} of a document column: the lowercase hex MD5 of the wrapped document's UTF-8 bytes. */
    abstract String documentHash(String document);

    /** Inserts the fencing row unless present: (sync_group, epoch, holder, updated). */
    abstract String insertIgnoreFence();

    /** Whether {@link #insertIgnoreFence()} takes the group a second time, as its fifth parameter. */
    boolean fenceInsertRepeatsGroup() {
        return false;
    }

    /**
     * Deletes up to n rows marked jdp_delete of a seller scope: {@code scope} is {@code " AND <condition>"} (or empty),
     * its parameters first, then n.
     */
    abstract String purge(String scope);

    /** The conditional write of one target row, parameters in {@link TargetSchema#WRITTEN} order. */
    abstract String upsertTarget();

    /** An unconditional upsert of one source row (the generator, tests), parameters in SourceSchema.WRITTEN order. */
    abstract String upsertSource();

    static String marks(int n) {
        return String.join(", ", Collections.nCopies(n, "?"));
    }

    private static String wrapped(String document, String concat) {
        return "'" + JdpResponse.PREFIX.replace("'", "''") + "'" + concat + document + concat
                + "'" + JdpResponse.SUFFIX + "'";
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}

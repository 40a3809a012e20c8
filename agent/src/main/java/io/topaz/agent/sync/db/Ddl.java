package io.topaz.agent.sync.db;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** Column types per dialect, and the create-when-missing / refuse-the-wrong-shape check both schemas share. */
final class Ddl {

    private Ddl() {
    }

    static String timestamp(Dialect d) {
        return d == Dialect.MARIADB ? "DATETIME(3)" : "TIMESTAMP(3)";
    }

    static String text(Dialect d) {
        return switch (d) {
            case POSTGRESQL -> "TEXT";
            case MARIADB -> "LONGTEXT";
            case H2 -> "CHARACTER VARYING";
        };
    }

    static String tableOptions(Dialect d) {
        return d == Dialect.MARIADB ? " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin" : "";
    }

    /** Whether the table exists in the connection's current catalog/schema. */
    static boolean exists(Connection c, String table) throws SQLException {
        return !columns(c, table).isEmpty();
    }

    /** The lowercase column names of a table in the current catalog/schema (empty when it does not exist). */
    static Set<String> columns(Connection c, String table) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        Set<String> names = new TreeSet<>();
        for (String name : List.of(table, table.toUpperCase(Locale.ROOT))) {
            try (ResultSet rs = md.getColumns(c.getCatalog(), c.getSchema(), name, null)) {
                while (rs.next()) {
                    names.add(rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
                }
            }
            if (!names.isEmpty()) {
                break;
            }
        }
        return names;
    }

    /**
     * Creates {@code table} and its indexes when missing; an existing table must have at least {@code required}
     * columns, else a clear {@link SQLException} names the missing ones.
     */
    static void ensure(Connection c, String table, List<String> required, List<String> statements, String what)
            throws SQLException {
        Set<String> present = columns(c, table);
        if (!present.isEmpty()) {
            List<String> missing = new ArrayList<>();
            for (String col : required) {
                if (!present.contains(col)) {
                    missing.add(col);
                }
            }
            if (!missing.isEmpty()) {
                throw new SQLException("table " + table + " in " + where(c) + " exists but is not " + what
                        + ": it lacks the columns " + missing + " (it has " + present + "). Migrate it or point the "
                        + "sync at another database or schema", "42S22");
            }
        }
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    private static String where(Connection c) throws SQLException {
        String catalog = c.getCatalog();
        String schema = c.getSchema();
        return "database " + catalog + (schema == null ? "" : " schema " + schema);
    }
}

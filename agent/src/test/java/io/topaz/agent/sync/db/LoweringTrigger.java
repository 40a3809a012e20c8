package io.topaz.agent.sync.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * A test fixture on a target database: a trigger on {@code jdp_tb_trade} that records, in {@code jdp_lowered}, every
 * update that lowers {@code modified} — an older version replacing a newer one, which the sync must never do. Install
 * it after {@code ensureSchema()}; assert {@link #lowered} is empty at the end. PostgreSQL, MariaDB and H2.
 */
public final class LoweringTrigger {

    private LoweringTrigger() {
    }

    public static void install(DataSource target) throws SQLException {
        try (Connection c = target.getConnection(); Statement s = c.createStatement()) {
            Dialect d = Dialect.of(c);
            String ts = d == Dialect.MARIADB ? "DATETIME(3)" : "TIMESTAMP(3)";
            s.execute("CREATE TABLE jdp_lowered (tid BIGINT NOT NULL, old_modified " + ts + " NOT NULL, new_modified "
                    + ts + " NOT NULL)");
            switch (d) {
                case POSTGRESQL -> {
                    s.execute("CREATE FUNCTION jdp_record_lowered() RETURNS trigger AS $$ BEGIN "
                            + "IF NEW.modified < OLD.modified THEN "
                            + "INSERT INTO jdp_lowered VALUES (OLD.tid, OLD.modified, NEW.modified); END IF; "
                            + "RETURN NEW; END $$ LANGUAGE plpgsql");
                    s.execute("CREATE TRIGGER jdp_tb_trade_lowered BEFORE UPDATE ON jdp_tb_trade FOR EACH ROW "
                            + "EXECUTE FUNCTION jdp_record_lowered()");
                }
                case MARIADB -> s.execute("CREATE TRIGGER jdp_tb_trade_lowered BEFORE UPDATE ON jdp_tb_trade "
                        + "FOR EACH ROW BEGIN IF NEW.modified < OLD.modified THEN "
                        + "INSERT INTO jdp_lowered VALUES (OLD.tid, OLD.modified, NEW.modified); END IF; END");
                case H2 -> s.execute("CREATE TRIGGER jdp_tb_trade_lowered BEFORE UPDATE ON jdp_tb_trade FOR EACH ROW "
                        + "CALL \"" + H2Trigger.class.getName() + "\"");
            }
        }
    }

    /** The tids whose {@code modified} some write lowered, in the order recorded. */
    public static List<Long> lowered(DataSource target) throws SQLException {
        List<Long> tids = new ArrayList<>();
        try (Connection c = target.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT tid FROM jdp_lowered");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                tids.add(rs.getLong(1));
            }
        }
        return tids;
    }

    /** H2 runs triggers as Java classes; the columns are in table order (modified is the 7th). */
    public static final class H2Trigger implements org.h2.api.Trigger {

        @Override
        public void fire(Connection c, Object[] oldRow, Object[] newRow) throws SQLException {
            if (newRow != null && comparable(oldRow[6]).compareTo(comparable(newRow[6])) > 0) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO jdp_lowered VALUES (?, ?, ?)")) {
                    ps.setObject(1, oldRow[0]);
                    ps.setObject(2, oldRow[6]);
                    ps.setObject(3, newRow[6]);
                    ps.executeUpdate();
                }
            }
        }

        @SuppressWarnings("unchecked")
        private static Comparable<Object> comparable(Object value) {
            return (Comparable<Object>) (value instanceof Timestamp t ? t.toLocalDateTime() : value);
        }
    }
}

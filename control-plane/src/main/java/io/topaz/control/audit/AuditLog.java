package io.topaz.control.audit;

import io.topaz.model.json.Json;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The audit log of every change and publish, kept in the control plane's database (H2 by default, PostgreSQL by
 * configuration) because it grows without bound, which ZooKeeper is not for.
 */
@Service
public class AuditLog {

    private final JdbcClient jdbc;
    private final Clock clock;

    public AuditLog(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Records one change. {@code detail} is serialized as JSON. */
    public void record(String actor, AuditAction action, String kind, String key, Long release, Long itemVersion,
                       Object detail) {
        jdbc.sql("""
                        insert into audit_event (at_millis, actor, action, kind, item_key, release_no, item_version, detail)
                        values (?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(clock.millis(), actor, action.name(), kind, key, release, itemVersion,
                        detail == null ? null : new String(Json.write(detail), java.nio.charset.StandardCharsets.UTF_8))
                .update();
    }

    /**
     * Inserts an outbox record unless a row with its id exists (the unique index on {@code outbox_id} settles two
     * replayers racing). Returns whether this call inserted it.
     */
    public boolean recordOnce(AuditOutbox.Entry e) {
        try {
            return jdbc.sql("""
                            insert into audit_event (at_millis, actor, action, kind, item_key, release_no, item_version,
                                                     detail, outbox_id)
                            values (?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                    .params(e.atMillis(), e.actor(), e.action().name(), e.kind(), e.key(), e.release(), e.itemVersion(),
                            e.detail(), e.id())
                    .update() == 1;
        } catch (DuplicateKeyException already) {
            return false;
        }
    }

    /** Events matching every given criterion (null = any), newest first. */
    public List<AuditEvent> query(AuditQuery q) {
        StringBuilder sql = new StringBuilder("select * from audit_event where 1 = 1");
        List<Object> params = new ArrayList<>();
        if (q.from() != null) {
            sql.append(" and at_millis >= ?");
            params.add(q.from().toEpochMilli());
        }
        if (q.to() != null) {
            sql.append(" and at_millis < ?");
            params.add(q.to().toEpochMilli());
        }
        if (q.kind() != null) {
            sql.append(" and kind = ?");
            params.add(q.kind());
        }
        if (q.key() != null) {
            sql.append(" and item_key = ?");
            params.add(q.key());
        }
        if (q.release() != null) {
            sql.append(" and release_no = ?");
            params.add(q.release());
        }
        if (q.actor() != null) {
            sql.append(" and actor = ?");
            params.add(q.actor());
        }
        sql.append(" order by id desc limit ? offset ?");
        params.add(q.limit());
        params.add(q.offset());
        return jdbc.sql(sql.toString()).params(params).query((rs, i) -> new AuditEvent(
                rs.getLong("id"),
                Instant.ofEpochMilli(rs.getLong("at_millis")).toString(),
                rs.getString("actor"),
                AuditAction.valueOf(rs.getString("action")),
                rs.getString("kind"),
                rs.getString("item_key"),
                (Long) rs.getObject("release_no", Long.class),
                (Long) rs.getObject("item_version", Long.class),
                rs.getString("detail"))).list();
    }

    /** A small ordered map for details, so audit JSON reads in a stable order. */
    public static Map<String, Object> detail(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            if (keyValues[i + 1] != null) {
                m.put((String) keyValues[i], keyValues[i + 1]);
            }
        }
        return m;
    }
}

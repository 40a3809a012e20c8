-- Runs on H2 (the embedded default) and PostgreSQL.
-- Audit records of ZooKeeper changes are written first to an outbox in the change's own ZooKeeper transaction, then
-- moved here; outbox_id makes that move idempotent (a replay after a crash, or two control planes replaying at once,
-- inserts each record once). NULL for rows written directly (database-only changes), which unique indexes allow.
alter table audit_event add column outbox_id varchar(64);
create unique index audit_event_outbox on audit_event (outbox_id);

/**
 * The order sync's database layer: the platform's {@code tb_trade} ({@link io.topaz.agent.sync.db.SourceSchema},
 * {@link io.topaz.agent.sync.db.JdbcSourceOrders}) and the apps' JDP tables
 * ({@link io.topaz.agent.sync.db.TargetSchema}, {@link io.topaz.agent.sync.db.JdbcTargetOrders}) on PostgreSQL,
 * MariaDB/MySQL and H2 ({@link io.topaz.agent.sync.db.Dialect}): conditional writes fenced by the lease epoch, and
 * the keys and digests reconciliation compares, computed inside each database. See docs/architecture.md, "Order sync:
 * the databases".
 */
package io.topaz.agent.sync.db;

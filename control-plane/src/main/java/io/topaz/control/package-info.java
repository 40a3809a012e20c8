/**
 * The control plane, packaged by feature: {@code zk} (ZooKeeper connection and the embedded server), {@code config}
 * (draft CRUD), {@code release} (publish, diff, rollback, history), {@code audit}, {@code security} (bearer tokens and
 * roles), {@code fleet} (the live agents) and {@code web} (error mapping).
 */
package io.topaz.control;

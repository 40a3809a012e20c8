/**
 * The Sync screen: the order sync's targets (from the live release) and, per (target, seller group), what the agent
 * holding its lease reports — lag, merge ratio, reads, writes, skipped writes, repairs by reason, backfill, the last
 * reconciliation, errors — with a full reconciliation of a group for admins.
 */
package io.topaz.console.sync;

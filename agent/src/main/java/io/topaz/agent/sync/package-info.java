/**
 * Order data sync (TOP's data push, JDP): the platform's orders ({@code tb_trade}) copied into an app's database
 * ({@code jdp_tb_trade}), driven by trade messages, merged per order within a window, written conditionally (an older
 * version never replaces a newer one) and reconciled every cycle. The contract types here are shared by the database
 * layer ({@code sync.db}) and the engine.
 */
package io.topaz.agent.sync;

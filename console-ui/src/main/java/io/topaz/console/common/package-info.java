/**
 * What every screen shares: the signed-in {@link io.topaz.console.common.Session} and what its role allows, running
 * control-plane calls off the UI thread ({@link io.topaz.console.common.BackgroundWork}), the connection banner's state
 * ({@link io.topaz.console.common.ConnectionStatus}) and the periodic refresh ({@link io.topaz.console.common.Poller}).
 * View-models get these passed in; tests pass executors that run at once, so no JavaFX thread is needed.
 */
package io.topaz.console.common;

/**
 * The fleet screen: every live agent with its zone, cluster, applied release and health, lagging agents marked, and a
 * sparkline of gateway calls and errors per second, all from the control plane (which polls each agent's admin
 * {@code /metrics}); the console never reaches an agent itself.
 */
package io.topaz.console.fleet;

/**
 * The fleet screen: every live agent with its zone, cluster, applied release and health, lagging agents marked, and a
 * sparkline of gateway calls and errors per second read from each agent's admin {@code /metrics}.
 */
package io.topaz.console.fleet;

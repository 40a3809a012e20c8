/**
 * Live traffic-control rates: every few seconds the control plane scrapes each live agent's admin {@code /metrics}
 * for its flow, quota and overload decisions, sums the counters over agents, turns them into per-second rates and keeps
 * a short history per rule for the console to chart ({@code GET /api/v1/traffic/rates}); from the same scrape, each
 * agent's gateway calls and errors per second for the console's fleet sparklines ({@code GET /api/v1/traffic/agents}).
 *
 * <p>{@link io.topaz.control.traffic.AgentTrafficReader} scrapes and parses; {@link
 * io.topaz.control.traffic.TrafficAggregator} (per rule) and {@link io.topaz.control.traffic.AgentCallRates} (per
 * agent) do the arithmetic and take the time as a parameter;
 * {@link io.topaz.control.traffic.TrafficPoller} schedules them.
 */
package io.topaz.control.traffic;

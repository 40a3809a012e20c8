/**
 * Live traffic-control rates: every few seconds the control plane scrapes each live agent's admin {@code /metrics}
 * for its flow, quota and overload decisions, sums the counters over agents, turns them into per-second rates and keeps
 * a short history per rule for the console to chart ({@code GET /api/v1/traffic/rates}).
 *
 * <p>{@link io.topaz.control.traffic.AgentTrafficReader} scrapes and parses; {@link
 * io.topaz.control.traffic.TrafficAggregator} does the arithmetic and takes the time as a parameter;
 * {@link io.topaz.control.traffic.TrafficPoller} schedules the two.
 */
package io.topaz.control.traffic;

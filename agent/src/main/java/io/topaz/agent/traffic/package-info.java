/**
 * Traffic control of one agent: QPS limits per API, app and app per API, daily quotas, and overload shedding by tier.
 * {@link io.topaz.agent.traffic.TrafficControl} compiles a release's rules and decides each call; each rule is a
 * {@code Limiter} (local windows and counts, or permits leased from the cluster counter on Redis), and a call refused
 * by one rule gives back the permits the others granted.
 */
package io.topaz.agent.traffic;

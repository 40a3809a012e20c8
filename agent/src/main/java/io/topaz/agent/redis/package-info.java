/**
 * The agent's Redis connections: one {@link io.topaz.agent.redis.BackgroundRedisConnection} for the L2 metadata cache
 * and one for the cluster-wide traffic counters, each with its own timeout, on one shared set of Lettuce client
 * resources (I/O threads and timer).
 */
package io.topaz.agent.redis;

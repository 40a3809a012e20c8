/** The agent's connections to Redis, shared by the L2 metadata cache and the cluster-wide traffic counters. */
package io.topaz.agent.redis;

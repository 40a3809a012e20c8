/**
 * Apps and sessions as an agent reads them: a multi-tier cache (Caffeine L1, Redis L2, the control plane's batch
 * lookup L3) behind a Bloom filter of existing keys, kept current by metadata events pushed through ZooKeeper and
 * configured by the published cache rules.
 */
package io.topaz.agent.metadata;

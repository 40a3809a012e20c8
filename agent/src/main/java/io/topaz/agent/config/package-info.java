/**
 * Config on the agent: {@link io.topaz.agent.config.ReleaseWatcher} follows the live release in ZooKeeper,
 * {@link io.topaz.agent.config.SnapshotHolder} is the one reference engines read, and
 * {@link io.topaz.agent.config.LocalSnapshot} keeps the last release on disk for a boot without ZooKeeper.
 */
package io.topaz.agent.config;

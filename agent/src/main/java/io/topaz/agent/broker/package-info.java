/**
 * The message service's broker (TOP's TMC): {@link io.topaz.agent.broker.Broker} routes produce, consume and
 * confirm to the owners of (app, group) queues across the agents of a cluster; {@link io.topaz.agent.broker.LocalQueues}
 * is one agent's storage of messages and queues on the log store ({@code broker.store}). See docs/tmc-protocol.md,
 * "The broker's design", and docs/architecture.md.
 */
package io.topaz.agent.broker;

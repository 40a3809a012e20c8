/**
 * The Topaz agent: one light process per node. {@link io.topaz.agent.TopazAgent} wires the release watcher, the
 * registration and the admin server; {@link io.topaz.agent.AgentMain} runs it from the command line.
 */
package io.topaz.agent;

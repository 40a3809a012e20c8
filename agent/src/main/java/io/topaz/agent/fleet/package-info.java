/** The agent's place in the fleet: its ephemeral registration node. */
package io.topaz.agent.fleet;

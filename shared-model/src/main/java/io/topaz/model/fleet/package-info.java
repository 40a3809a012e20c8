/** The agent fleet as seen in ZooKeeper: each agent's registration. */
package io.topaz.model.fleet;

/** The ZooKeeper connection: settings, the embedded server for the one-command default, health, bulk reads. */
package io.topaz.control.zk;

/** The fleet view: live agents with their zone, cluster, addresses and applied release. */
package io.topaz.control.fleet;

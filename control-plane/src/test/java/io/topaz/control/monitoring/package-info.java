/**
 * Checks of the monitoring files in docs/monitoring: promtool accepts them, and every metric they query exists on a
 * running agent or control plane.
 */
package io.topaz.control.monitoring;

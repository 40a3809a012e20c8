/**
 * Reading the Prometheus text an agent serves on its admin {@code /metrics}: the console's fleet sparklines and the
 * control plane's traffic rates both parse it here, so there is one reader of the format.
 */
package io.topaz.model.metrics;

/**
 * The message service as operators see it ({@code /api/v1/messages}): every broker agent's queues and per-app totals,
 * and the apps' dead-letter queues listed, replayed and purged, all through the agents' authenticated broker-port API
 * ({@code /internal/v1}) with the control plane's own AGENT token.
 */
package io.topaz.control.messages;

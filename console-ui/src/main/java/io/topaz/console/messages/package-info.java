/**
 * The Messages screen: the message service's per-app backlog, in-flight messages, redelivery and dead-letter rates and
 * oldest unconfirmed age, and an app's dead-letter queue with replay and purge, all through the control plane's
 * {@code /api/v1/messages} (which asks the broker agents).
 */
package io.topaz.console.messages;

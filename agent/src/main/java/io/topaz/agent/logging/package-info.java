/**
 * Logging plumbing of the agent: the appender its {@code logback.xml} uses, so that event-loop threads (the gateway
 * logs one access line per call) hand a line over without a lock, a wake-up or a system call.
 */
package io.topaz.agent.logging;

/**
 * The gateway engine: TOP-compatible {@code /router/rest} on Netty, an explicit pipeline of small stages
 * ({@link io.topaz.agent.gateway.GatewayPipeline} draws it), and the non-blocking upstream client. Apps and sessions
 * come from {@link io.topaz.agent.metadata}; APIs and upstreams from the live config snapshot.
 */
package io.topaz.agent.gateway;

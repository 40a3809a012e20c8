/**
 * The gateway engine: TOP-compatible {@code /router/rest} on Netty, an explicit pipeline of small stages
 * ({@link io.topaz.agent.gateway.GatewayPipeline} draws it), and the non-blocking upstream client. Apps and sessions
 * come from {@link io.topaz.agent.metadata}; APIs and upstreams from the live config snapshot. Around the pipeline:
 * the strict TOP parameter reading ({@link io.topaz.agent.gateway.FormParameters}), the answer's format
 * ({@link io.topaz.agent.gateway.ResponseFormat}, XML by {@link io.topaz.agent.gateway.TopXml}), gzip, and HTTP-level
 * refusals in TOP's shape ({@link io.topaz.agent.gateway.TopRefusals}).
 */
package io.topaz.agent.gateway;

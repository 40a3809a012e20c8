package io.topaz.agent.gateway.upstream;

/** An upstream's complete answer: status and body (already copied out of Netty's buffers). */
public record UpstreamResponse(int status, byte[] body) {
}

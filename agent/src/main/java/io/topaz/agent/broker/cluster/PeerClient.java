package io.topaz.agent.broker.cluster;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AsciiString;
import io.topaz.agent.broker.BrokerException;
import io.topaz.agent.gateway.upstream.UpstreamBody;
import io.topaz.agent.gateway.upstream.UpstreamClient;
import io.topaz.agent.gateway.upstream.UpstreamFailure;
import io.topaz.agent.gateway.upstream.UpstreamTarget;
import io.topaz.agent.net.Transport;
import io.topaz.model.fleet.AgentInfo;
import io.topaz.model.json.Json;

import java.io.Closeable;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Calls other agents' broker ports ({@code /internal/v1/…}, host and port from their {@link AgentInfo} registration)
 * with this agent's control-plane token: pooled keep-alive connections and no waiting thread ({@link UpstreamClient}
 * on the broker's event loops). Answers map back to {@link BrokerException}s: an unreachable peer or one that
 * answers 503 is {@code UNAVAILABLE} (or the peer's {@code kind}); the caller retries.
 */
public final class PeerClient implements Closeable {

    /** How many forwards a request has had; a request is forwarded to the current owner at most {@link #MAX_HOPS} times. */
    public static final String HOP_HEADER = "X-Topaz-Hop";
    public static final int MAX_HOPS = 2;
    private static final AsciiString JSON = AsciiString.cached("application/json");

    private final UpstreamClient http;
    private final EventLoopGroup loops;
    private final String authorization;
    private final long timeoutMillis;

    public PeerClient(EventLoopGroup loops, Transport transport, String agentToken, int connectionsPerPeer,
                      long timeoutMillis) {
        this(loops, transport, agentToken, connectionsPerPeer, timeoutMillis, null);
    }

    /** @param tls the peers' broker ports speak https, trusted by this context ({@code BrokerTls}); null: plain */
    public PeerClient(EventLoopGroup loops, Transport transport, String agentToken, int connectionsPerPeer,
                      long timeoutMillis, SslContext tls) {
        this.loops = loops;
        this.http = new UpstreamClient(loops, transport.socketChannel(), transport.datagramChannel(),
                connectionsPerPeer, (int) Math.min(timeoutMillis, 5_000), tls);
        this.authorization = "Bearer " + agentToken;
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * POSTs {@code body} as JSON to {@code path} on {@code peer}'s broker port; completes with the answer's body when
     * the peer answered 200, else fails with a {@link BrokerException}.
     */
    public CompletableFuture<byte[]> post(AgentInfo peer, String path, Object body, int hops) {
        Integer port = peer.ports().get("broker");
        if (port == null) {
            return CompletableFuture.failedFuture(new BrokerException(BrokerException.Kind.UNAVAILABLE,
                    "agent " + peer.id() + " runs no broker"));
        }
        UpstreamTarget target = new UpstreamTarget(InetSocketAddress.createUnresolved(peer.host(), port),
                peer.host() + ":" + port, path);
        byte[] bytes = body instanceof byte[] b ? b : Json.write(body);
        return http.post(loops.next(), target, Map.of("Authorization", authorization, HOP_HEADER, Integer.toString(hops)),
                        new UpstreamBody(bytes, JSON), timeoutMillis)
                .handle((response, failure) -> {
                    if (failure != null) {
                        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause() : failure;
                        String why = cause instanceof UpstreamFailure ? cause.getMessage() : cause.toString();
                        throw new BrokerException(BrokerException.Kind.UNAVAILABLE,
                                "agent " + peer.id() + " cannot be reached: " + why, cause);
                    }
                    if (response.status() == 200) {
                        return response.body();
                    }
                    throw refusal(peer, response.status(), response.body());
                });
    }

    private static BrokerException refusal(AgentInfo peer, int status, byte[] body) {
        String error = new String(body, StandardCharsets.UTF_8);
        BrokerException.Kind kind = BrokerException.Kind.INTERNAL;
        try {
            BrokerServer.ErrorBody e = Json.read(body, BrokerServer.ErrorBody.class);
            if (e.error() != null) {
                error = e.error();
            }
            if (e.kind() != null) {
                kind = BrokerException.Kind.valueOf(e.kind());
            } else if (status == 503) {
                kind = BrokerException.Kind.UNAVAILABLE;
            } else if (status == 400) {
                kind = BrokerException.Kind.INVALID;
            }
        } catch (RuntimeException unreadable) {
            kind = status == 503 ? BrokerException.Kind.UNAVAILABLE : kind;
        }
        String hint = status == 401 || status == 403 ? " (is --agent-token a control-plane token with the AGENT role?)" : "";
        return new BrokerException(kind, "agent " + peer.id() + " answered " + status + ": " + error + hint);
    }

    @Override
    public void close() {
        http.close();
    }
}

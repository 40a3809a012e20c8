package io.topaz.agent.gateway;

import java.time.Duration;
import java.time.ZoneId;

/**
 * The gateway's limits against slow, huge or malformed requests, and its upstream settings.
 *
 * @param maxUrlBytes          request line; longer → 414
 * @param maxHeaderBytes       all headers; larger → 431
 * @param maxBodyBytes         body; larger → 413
 * @param maxParameters        parameters (query and form); more → TOP 41
 * @param requestReadTimeout   a request must arrive whole within this, else 408 and the connection is closed
 * @param idleTimeout          a keep-alive connection idle this long is closed
 * @param timestampWindow      how far a call's timestamp may be from this agent's clock (TOP 31 beyond)
 * @param platformZone         the zone of {@code timestamp} values (TOP: GMT+8)
 * @param maxBatchSubCalls     sub-calls in one {@code /router/batch}
 */
public record GatewayLimits(int maxUrlBytes, int maxHeaderBytes, int maxBodyBytes, int maxParameters,
                            Duration requestReadTimeout, Duration idleTimeout, Duration timestampWindow,
                            ZoneId platformZone, int maxBatchSubCalls,
                            int upstreamConnectionsPerHost, int upstreamConnectTimeoutMillis,
                            int ejectAfterFailures, Duration ejectionCoolOff) {

    public static GatewayLimits defaults() {
        return new GatewayLimits(8 * 1024, 16 * 1024, 2 * 1024 * 1024, 512, Duration.ofSeconds(10),
                Duration.ofSeconds(60), Duration.ofMinutes(10), ZoneId.of("Asia/Shanghai"), 50, 256, 1_000, 3,
                Duration.ofSeconds(30));
    }

    public GatewayLimits withTimeouts(Duration requestRead, Duration idle) {
        return new GatewayLimits(maxUrlBytes, maxHeaderBytes, maxBodyBytes, maxParameters, requestRead, idle,
                timestampWindow, platformZone, maxBatchSubCalls, upstreamConnectionsPerHost,
                upstreamConnectTimeoutMillis, ejectAfterFailures, ejectionCoolOff);
    }
}

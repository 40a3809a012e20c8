package io.topaz.agent.broker.push;

/**
 * One push connection as operators see it ({@link PushServer#connectionList()}, the broker port's
 * {@code GET /internal/v1/connections}, the control plane's {@code GET /api/v1/messages/connections}).
 *
 * @param id        the connection's id on its agent (not its token): what {@link PushServer#disconnect} takes
 * @param remote    the client's address as the agent sees it ({@code /host:port})
 * @param sinceMillis when its CONNECT was accepted (epoch milliseconds, the agent's clock)
 * @param inFlight  messages pushed to it and neither confirmed nor failed yet
 * @param pushed    messages pushed to it since it connected (redeliveries included)
 * @param confirmed messages it confirmed
 */
public record PushConnectionInfo(String id, String app, String group, String remote, long sinceMillis, long inFlight,
                                 long pushed, long confirmed) {
}

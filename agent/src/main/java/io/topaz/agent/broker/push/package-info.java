/**
 * Push over WebSocket on the broker port (docs/tmc-protocol.md, "Push: WebSocket, binary frames"): the binary frame
 * codec ({@link io.topaz.agent.broker.push.FrameCodec}), the per-connection protocol handler
 * ({@link io.topaz.agent.broker.push.PushConnection}) and its installation on the broker port
 * ({@link io.topaz.agent.broker.push.PushServer}).
 */
package io.topaz.agent.broker.push;

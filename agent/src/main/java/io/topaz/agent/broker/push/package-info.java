/**
 * Push over WebSocket on the broker port (docs/tmc-protocol.md, "Push: WebSocket, binary frames" and "The push
 * path"): the binary frame codec ({@link io.topaz.agent.broker.push.FrameCodec}); per connection the frame handling
 * ({@link io.topaz.agent.broker.push.PushConnection}), the CONNECT's checks
 * ({@link io.topaz.agent.broker.push.Handshake}), the delivery loop ({@link io.topaz.agent.broker.push.PushWriter})
 * with its window ({@link io.topaz.agent.broker.push.InFlightWindow}) and SEND writer, zero-copy where it can
 * ({@link io.topaz.agent.broker.push.SendWriter}); per agent the installation on the broker port and the Disruptor
 * ring between store and writers ({@link io.topaz.agent.broker.push.PushServer},
 * {@link io.topaz.agent.broker.push.PushRing}), and the tiered confirmations ({@code confirm}).
 */
package io.topaz.agent.broker.push;

/**
 * The message service's TOP methods ({@code taobao.tmc.*}, the reserved API group {@code tmc}), served by the agent
 * itself as built-in APIs of the gateway ({@link io.topaz.agent.tmc.TmcApis}): produce (validation, routing to the
 * (app, group) queues of the apps a seller permitted, publish through the {@link io.topaz.agent.broker.Broker}),
 * consume and confirm, and the permit and group methods, which change the control plane's data through its AGENT-role
 * API. Also the platform services' publish on the broker port ({@link io.topaz.agent.broker.PublishHandler}). See
 * docs/tmc-protocol.md.
 */
package io.topaz.agent.tmc;

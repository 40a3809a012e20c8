package io.topaz.agent.tmc;

import io.micrometer.core.instrument.MeterRegistry;
import io.topaz.agent.broker.Broker;
import io.topaz.agent.broker.PublishHandler;
import io.topaz.agent.gateway.BuiltInApis;
import io.topaz.agent.gateway.Call;
import io.topaz.agent.gateway.TopError;
import io.topaz.agent.metadata.MetadataClient;
import io.topaz.model.config.ApiDefinition;
import io.topaz.model.config.ConfigSnapshot;
import tools.jackson.databind.node.ObjectNode;

import java.time.Clock;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The message service's TOP methods as built-in APIs of the gateway, in the reserved API group {@code tmc}: the
 * gateway checks a call as any other (signature, app, session where needed, the app's permission for {@code tmc},
 * required parameters, flow control and quotas) and then hands it here instead of to an upstream.
 *
 * <pre>
 * taobao.tmc.messages.consume / confirm        MessageApis   → Broker.consume / confirm of QueueName(app, group)
 * taobao.tmc.message.produce, messages.produce ProduceApis   → Producer → Broker.publish
 * taobao.tmc.user.permit / cancel / get         PermitApis    → the control plane's AGENT API
 * taobao.tmc.group.add / delete, groups.get     PermitApis    → the control plane's AGENT API
 * </pre>
 *
 * <p>Without a broker (an agent started without one) the broker's methods answer code 10
 * {@code isp.message-service-unavailable}; the permit and group methods still work. Never blocks: everything waits
 * through futures (the metadata cache, the control plane, the broker).
 */
public final class TmcApis implements BuiltInApis {

    /** The API group every built-in method belongs to: apps need it in their {@code allowedApiGroups}. */
    public static final String GROUP = ApiDefinition.RESERVED_GROUP;

    private record Method(ApiDefinition api, Function<Call, CompletableFuture<ObjectNode>> handler) {
    }

    private final Map<String, Method> methods = new LinkedHashMap<>();
    private final Producer producer;

    /**
     * @param broker       the cluster's broker, or null when this agent runs none
     * @param metadata     sellers' permits and groups, apps' groups, nicks
     * @param controlPlane the AGENT API for permits and groups, or null when this agent has no control plane
     * @param zone         the platform's zone, of TOP's times ({@code pub_time}, {@code created})
     */
    public TmcApis(Broker broker, MetadataClient metadata, ControlPlaneTmc controlPlane, Clock clock, ZoneId zone,
                   MeterRegistry registry) {
        TopTimes times = new TopTimes(zone);
        this.producer = new Producer(broker, metadata, clock, new TmcMetrics(registry));
        MessageApis messages = new MessageApis(broker, metadata, times);
        ProduceApis produce = new ProduceApis(producer);
        PermitApis permits = new PermitApis(controlPlane, times);
        add("taobao.tmc.messages.consume", false, List.of(), messages::consume);
        add("taobao.tmc.messages.confirm", false, List.of("s_message_ids"), messages::confirm);
        add("taobao.tmc.message.produce", false, List.of("topic", "content"), produce::produce);
        add("taobao.tmc.messages.produce", false, List.of("messages"), produce::produceMany);
        add("taobao.tmc.user.permit", true, List.of(), permits::permit);
        add("taobao.tmc.user.cancel", false, List.of("nick"), permits::cancel);
        add("taobao.tmc.user.get", false, List.of("fields", "nick"), permits::get);
        add("taobao.tmc.group.add", false, List.of("group_name"), permits::groupAdd);
        add("taobao.tmc.group.delete", false, List.of("group_name"), permits::groupDelete);
        add("taobao.tmc.groups.get", false, List.of(), permits::groupsGet);
    }

    private void add(String method, boolean session, List<String> required,
                     Function<Call, CompletableFuture<ObjectNode>> handler) {
        methods.put(method, new Method(new ApiDefinition(method, GROUP, List.of(), ApiDefinition.DEFAULT_TIMEOUT_MILLIS,
                session, required), handler));
    }

    /**
     * The platform services' publish on the broker port ({@code POST /internal/v1/publish}), validated against the
     * live release given here and routed and published as a produce.
     */
    public PublishHandler publishHandler(Supplier<ConfigSnapshot> liveRelease) {
        return new PlatformPublish(liveRelease, producer);
    }

    /**
     * What a produce outside the gateway did: the message id once durable, or the TOP error it was refused with.
     *
     * @param error null on success
     */
    public record Produced(long msgId, TopError error) {
    }

    /**
     * A produce by {@code appKey} that does not come through the gateway — the push WebSocket's publish frame —
     * validated, routed and published exactly as {@code taobao.tmc.message.produce} (the topic's
     * {@code producerApps} included) against {@code config}. Refusals and the broker's failures complete the future
     * with a {@link Produced#error()}; only a bug fails it.
     */
    public CompletableFuture<Produced> produce(ConfigSnapshot config, String appKey, String topic, String content) {
        Producer.Request r = new Producer.Request(topic, content, appKey, true, null, null, null, null);
        return producer.produce(config, r).handle((id, err) -> {
            if (err == null) {
                return new Produced(id, null);
            }
            TmcFailure f = BrokerErrors.of(err);
            if (f == null) {
                throw err instanceof RuntimeException re ? re : new IllegalStateException(err);
            }
            return new Produced(0, f.error());
        });
    }

    /** The built-in methods' names, in the docs' order. */
    public List<String> methods() {
        return List.copyOf(methods.keySet());
    }

    @Override
    public ApiDefinition api(String method) {
        Method m = methods.get(method);
        return m == null ? null : m.api();
    }

    @Override
    public CompletableFuture<Answer> serve(Call call) {
        Method m = methods.get(call.method());
        CompletableFuture<ObjectNode> result;
        try {
            result = m.handler().apply(call);
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        return result.handle((r, err) -> {
            if (err == null) {
                return Answer.of(r);
            }
            TmcFailure f = BrokerErrors.of(err);
            if (f == null) { // a bug: the gateway logs it and answers isp.internal-error
                throw err instanceof RuntimeException re ? re : new IllegalStateException(err);
            }
            return Answer.of(f.error());
        });
    }
}

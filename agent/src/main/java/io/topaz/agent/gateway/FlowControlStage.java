package io.topaz.agent.gateway;

import java.util.concurrent.CompletableFuture;

/**
 * Flow control: where QPS limits, quotas and overload shedding decide (the traffic-control issue fills it in with
 * rules from the live release). Until then every call passes; the stage is in place so that the order of the
 * pipeline, and what each stage may assume, does not change when it does.
 */
final class FlowControlStage implements Stage {

    @Override
    public CompletableFuture<TopError> apply(Call call) {
        return PASS;
    }
}

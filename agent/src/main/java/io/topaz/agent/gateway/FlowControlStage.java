package io.topaz.agent.gateway;

import io.topaz.agent.traffic.TrafficControl;

import java.util.concurrent.CompletableFuture;

/**
 * Flow control: QPS limits, daily quotas and overload shedding, decided by {@link TrafficControl} from the live
 * release's rules. A refusal is TOP code 7 with a {@code sub_code} naming the limit, a {@code sub_msg} saying when
 * to retry, and {@code Retry-After}. A call that passes holds an in-flight slot until the pipeline answers it
 * ({@link #completed}). Without traffic control (a gateway built without it) every call passes.
 */
final class FlowControlStage implements Stage {

    private final TrafficControl traffic;

    FlowControlStage(TrafficControl traffic) {
        this.traffic = traffic;
    }

    @Override
    public CompletableFuture<TopError> apply(Call call) {
        if (traffic == null) {
            return PASS;
        }
        CompletableFuture<TrafficControl.Rejection> decision =
                traffic.admit(call.method, call.appKey, call.api == null ? null : call.api.apiGroup());
        if (decision.isDone() && !decision.isCompletedExceptionally()) {
            return verdict(call, decision.join());
        }
        // decided after a Redis round trip: go on on the caller's event loop, not on Redis' I/O thread
        return call.loop == null ? decision.thenCompose(r -> verdict(call, r))
                : decision.thenComposeAsync(r -> verdict(call, r), call.loop);
    }

    private static CompletableFuture<TopError> verdict(Call call, TrafficControl.Rejection r) {
        if (r == null) {
            call.admitted = true;
            return PASS;
        }
        return CompletableFuture.completedFuture(TopError.limited(r.subCode(), r.message(), r.retryAfterSeconds()));
    }

    /** The pipeline answered {@code call}: frees its in-flight slot and records its latency. */
    void completed(Call call) {
        if (traffic != null && call.admitted) {
            call.admitted = false;
            traffic.done(System.nanoTime() - call.startNanos);
        }
    }
}

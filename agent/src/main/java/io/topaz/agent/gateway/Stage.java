package io.topaz.agent.gateway;


import java.util.concurrent.CompletableFuture;

/**
 * One step of the gateway pipeline with one decision in it. A stage completes with {@code null} to pass the call on,
 * or with the {@link TopError} the caller gets. A stage never blocks: what it waits for (metadata, the upstream) it
 * waits for through the future.
 */
public interface Stage {

    /** The completed "pass" answer, shared. */
    CompletableFuture<TopError> PASS = CompletableFuture.completedFuture(null);

    CompletableFuture<TopError> apply(Call call);

    static CompletableFuture<TopError> fail(int code, String subCode, String subMsg) {
        return CompletableFuture.completedFuture(TopError.of(code, subCode, subMsg));
    }
}

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

    /**
     * {@code verdict}, completed on the call's event loop: a stage that waited for another thread (the metadata cache
     * answering on a Lettuce or metadata thread) hands the rest of the pipeline back to the loop of the call's
     * connection, where the upstream call and the answer belong. A verdict already decided is returned as it is (no
     * hop, no allocation).
     */
    static CompletableFuture<TopError> onCallsLoop(Call call, CompletableFuture<TopError> verdict) {
        if (verdict.isDone() || call.loop == null) {
            return verdict;
        }
        return verdict.whenCompleteAsync((error, failure) -> {
        }, call.loop);
    }

    static CompletableFuture<TopError> fail(int code, String subCode, String subMsg) {
        return CompletableFuture.completedFuture(TopError.of(code, subCode, subMsg));
    }
}
